#if canImport(Glibc)
import Glibc
#endif
import AeroWire
import CAeroSys

/// What a device namespace's index holds for a record instead of the record: its 24-byte
/// header (so expiry, truncate, eviction and defrag need no read) and where its image is.
///
///     0..23  the record's header, as in the record (size = the whole record's size)
///     24 u32 block    28 u32 payload offset within the block
///     32 u32 bytes on the device    36 u8 flags (1 = LZ4-compressed)
enum RecordStub {
    static let size = 40
    static let compressed: UInt8 = 1

    static func make(header: UnsafeRawPointer, block: Int, offset: Int, stored: Int, compressed: Bool) -> UnsafeMutableRawPointer {
        let s = malloc(size)!
        memcpy(s, header, RecordRef.headerSize)
        place(s, block: block, offset: offset, stored: stored, compressed: compressed)
        return s
    }
    static func place(_ s: UnsafeMutableRawPointer, block: Int, offset: Int, stored: Int, compressed: Bool) {
        s.storeBytes(of: UInt32(block), toByteOffset: 24, as: UInt32.self)
        s.storeBytes(of: UInt32(offset), toByteOffset: 28, as: UInt32.self)
        s.storeBytes(of: UInt32(stored), toByteOffset: 32, as: UInt32.self)
        s.storeBytes(of: compressed ? RecordStub.compressed : 0, toByteOffset: 36, as: UInt8.self)
        s.storeBytes(of: UInt8(0), toByteOffset: 37, as: UInt8.self)
        s.storeBytes(of: UInt16(0), toByteOffset: 38, as: UInt16.self)
    }
    static func block(_ s: UnsafeRawPointer) -> Int { Int(s.load(fromByteOffset: 24, as: UInt32.self)) }
    static func offset(_ s: UnsafeRawPointer) -> Int { Int(s.load(fromByteOffset: 28, as: UInt32.self)) }
    static func stored(_ s: UnsafeRawPointer) -> Int { Int(s.load(fromByteOffset: 32, as: UInt32.self)) }
    static func isCompressed(_ s: UnsafeRawPointer) -> Bool { s.load(fromByteOffset: 36, as: UInt8.self) & compressed != 0 }
}

extension Namespace {
    /// The record an index entry stands for: the entry itself in a memory namespace; read from
    /// the device (post-write cache or file) into the calling thread's scratch in a device
    /// namespace, valid until that thread's next image. Nil when the device read fails.
    @inline(__always) func image(_ entry: UnsafeMutableRawPointer, _ d: Digest) -> RecordRef? {
        guard let dev = device else { return RecordRef(entry) }
        return readImage(dev, entry, d)
    }

    private func readImage(_ dev: DeviceStore, _ stub: UnsafeMutableRawPointer, _ d: Digest) -> RecordRef? {
        let scratch = ThreadScratch.current
        let size = RecordRef(stub).size, stored = RecordStub.stored(stub)
        let block = RecordStub.block(stub), offset = RecordStub.offset(stub)
        let img = scratch.image(size)
        if RecordStub.isCompressed(stub) {
            let packed = scratch.packed(stored)
            guard stored >= RecordRef.headerSize,
                  dev.read(block: block, offset: offset, count: stored, digest: d, into: packed, scratch: scratch) else { return nil }
            memcpy(img, packed, RecordRef.headerSize)
            let rest = size - RecordRef.headerSize
            let n = aero_lz4_decompress(packed + RecordRef.headerSize, Int32(stored - RecordRef.headerSize),
                                        img + RecordRef.headerSize, Int32(rest))
            guard Int(n) == rest else { return nil }
        } else {
            guard stored == size, dev.read(block: block, offset: offset, count: size, digest: d, into: img, scratch: scratch) else { return nil }
        }
        // The image must be the one the stub describes.
        guard memcmp(img, stub, RecordRef.headerSize) == 0 else { return nil }
        return RecordRef(img)
    }

    /// Makes a freshly built record (`raw`, `size` bytes) durable as the namespace keeps
    /// records, and returns the index entry for it: `raw` itself in memory (the caller must not
    /// free it), a stub in a device namespace (the caller frees `raw`). Nil entry: result code.
    func storeRecord(_ d: Digest, _ raw: UnsafeMutableRawPointer, size: Int) -> (entry: UnsafeMutableRawPointer?, rc: UInt8) {
        guard let dev = device else { return (raw, 0) }
        var payload = UnsafeRawBufferPointer(start: raw, count: size)
        var kind = DeviceStore.Kind.record
        if dev.options.compress && size > RecordRef.headerSize + 32 {
            // Header as is (replay and defrag read it without decompressing), the rest LZ4.
            let rest = size - RecordRef.headerSize
            let bound = Int(aero_lz4_bound(Int32(rest)))
            let packed = ThreadScratch.current.packed(RecordRef.headerSize + bound)
            memcpy(packed, raw, RecordRef.headerSize)
            let accel = max(1, 10 - dev.options.compressionLevel)  // higher level: slower, tighter
            let n = Int(aero_lz4_compress(raw + RecordRef.headerSize, Int32(rest), packed + RecordRef.headerSize,
                                          Int32(bound), Int32(accel)))
            if n > 0 && n < rest {
                payload = UnsafeRawBufferPointer(start: packed, count: RecordRef.headerSize + n)
                kind = .compressedRecord
            }
        }
        let appended = dev.append(kind, d, payload)
        guard case .stored(let block, let offset) = appended else { return (nil, appended.resultCode) }
        return (RecordStub.make(header: raw, block: block, offset: offset, stored: payload.count,
                                compressed: kind == .compressedRecord), 0)
    }

    /// An entry left the index (replaced or removed): its device bytes are dead; frees it.
    @inline(__always) func retire(_ entry: UnsafeMutableRawPointer) {
        if let dev = device { dev.markDead(block: RecordStub.block(entry), payload: RecordStub.stored(entry)) }
        free(entry)
    }

    /// After a header-only change to a record's image (read-touch): a memory record was
    /// changed in place; a device record is written again. Caller holds the partition lock.
    func rewriteHeader(_ p: Partition, _ d: Digest, _ image: RecordRef) {
        guard device != nil else { return }
        let (entry, _) = storeRecord(d, image.p, size: image.size)
        guard let entry, let old = p.table.put(d, entry) else { return }
        retire(old)
    }
}
