#if canImport(Glibc)
import Glibc
#endif
import CAeroSys

/// A log-structured file: fixed-size write blocks, each a header then entries appended in
/// order. Every record image written and every delete (tombstone) goes to the current block;
/// a block is written whole (O_DIRECT where the file system allows it) when it fills, every
/// `flush-max-ms`, and at once for `commit-to-device`. Cold start replays blocks in sequence
/// order, so the newest image of each record wins and tombstones keep deletes deleted; an
/// entry whose checksum fails (a torn write) ends its block's replay.
///
///   block:  u64 magic "AEROLBLK" | u64 sequence | u32 used bytes | pad to 64
///   entry:  u32 length (whole entry, 8-aligned) | u8 kind | 3 pad | 20 digest | u32 payload length
///           | u32 checksum | 4 pad | payload
///           kind 1 = record (payload: the record buffer), 2 = tombstone, 3 = set (payload: u16 id, name)
///
/// Only the pages of the current block that changed since its last write go to the file (the
/// first write of a block includes its header). Each entry's checksum covers its block's
/// sequence number, so entries left on the file from a block's earlier life can never pass
/// for live ones; replay stops at the first zero or invalid entry.
public final class DeviceStore: @unchecked Sendable {
    public static let magic: UInt64 = 0x4B4C_424C_4F52_4541  // "AEROLBLK" little-endian
    static let headerSize = 64
    static let entryHeader = 40

    public enum Kind: UInt8 { case record = 1, tombstone = 2, set = 3 }

    let fd: Int32
    public let direct: Bool
    let blockSize: Int
    let blockCount: Int
    let commitToDevice: Bool
    let lock = Lock()
    // Guarded by lock:
    let buffer: UnsafeMutableRawPointer
    var current = -1
    var used = 0
    var sequence: UInt64 = 0
    var dirty = false
    /// Bytes of the current block already on the file.
    var flushedTo = 0
    var free: [Int] = []
    var defragRewritten = 0
    var defragFreed = 0

    func countRewrite(_ n: Int) { lock.withLock { defragRewritten += n } }

    public struct OpenError: Error, CustomStringConvertible { public var description: String }

    public init(path: String, fileSize: Int, blockSize: Int, commitToDevice: Bool) throws(OpenError) {
        var d: Int32 = 0
        fd = aero_open_storage(path, &d)
        guard fd >= 0 else { throw OpenError(description: "cannot open storage file '\(path)': \(String(cString: strerror(errno)))") }
        direct = d != 0
        self.blockSize = blockSize
        self.blockCount = max(2, fileSize / blockSize)
        self.commitToDevice = commitToDevice
        guard aero_ensure_size(fd, Int64(blockCount * blockSize)) == 0 else {
            throw OpenError(description: "cannot size storage file '\(path)' to \(fileSize) bytes")
        }
        buffer = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 4096)
    }
    deinit { buffer.deallocate(); close(fd) }

    // MARK: cold start

    /// Replays every block in sequence order, calling `visit` for each valid entry, then
    /// positions the writer after the newest block's last entry.
    public func replay(_ visit: (Kind, Digest, UnsafeRawBufferPointer) -> Void) {
        var blocks: [(seq: UInt64, index: Int, used: Int)] = []
        var lastUsed = DeviceStore.headerSize
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 4096)
        defer { scratch.deallocate() }
        for i in 0..<blockCount {
            // Just the header: one aligned 4 KiB page under direct I/O.
            let n = direct ? 4096 : DeviceStore.headerSize
            guard aero_pread_all(fd, scratch, n, Int64(i * blockSize)) == 0 else { free.append(i); continue }
            if scratch.load(as: UInt64.self) == DeviceStore.magic {
                let used = Int(scratch.load(fromByteOffset: 16, as: UInt32.self))
                blocks.append((scratch.load(fromByteOffset: 8, as: UInt64.self), i, min(used, blockSize)))
            } else {
                free.append(i)
            }
        }
        blocks.sort { $0.seq < $1.seq }
        for b in blocks {
            _ = aero_pread_all(fd, scratch, blockSize, Int64(b.index * blockSize))
            let end = parseEntries(scratch, seq: b.seq, visit)
            if b.index == blocks.last?.index { lastUsed = end }
        }
        if let last = blocks.last {
            current = last.index
            sequence = last.seq
            _ = aero_pread_all(fd, buffer, blockSize, Int64(last.index * blockSize))
            used = lastUsed
            // Whatever follows the last valid entry is not ours: clear it before appending.
            memset(buffer + used, 0, blockSize - used)
            flushedTo = 0
            dirty = true
        }
        free.sort(by: >)  // take low block numbers first (popLast)
    }

    /// Walks a block's entries (in `block`, a whole block read from the file) to the first zero,
    /// torn or stale one (checksum bound to `seq`). Returns where that is.
    func parseEntries(_ block: UnsafeMutableRawPointer, seq: UInt64, _ visit: (Kind, Digest, UnsafeRawBufferPointer) -> Void) -> Int {
        var at = DeviceStore.headerSize
        while at + DeviceStore.entryHeader <= blockSize {
            let len = Int(block.load(fromByteOffset: at, as: UInt32.self))
            guard len >= DeviceStore.entryHeader, at + len <= blockSize,
                  let kind = Kind(rawValue: block.load(fromByteOffset: at + 4, as: UInt8.self)) else { break }
            let payloadLen = Int(block.load(fromByteOffset: at + 28, as: UInt32.self))
            guard payloadLen <= len - DeviceStore.entryHeader else { break }
            let sum = block.load(fromByteOffset: at + 32, as: UInt32.self)
            let payload = UnsafeRawBufferPointer(start: block + at + DeviceStore.entryHeader, count: payloadLen)
            let digest = Digest(UnsafeRawBufferPointer(start: block + at + 8, count: 20))
            guard DeviceStore.checksum(kind.rawValue, digest, payload, seq: seq) == sum else { break }
            visit(kind, digest, payload)
            at += len
        }
        return at
    }

    // MARK: writing

    /// Appends an entry. False when the file has no free block left (OUT_OF_SPACE).
    @discardableResult
    public func append(_ kind: Kind, _ digest: Digest, _ payload: UnsafeRawBufferPointer) -> Bool {
        let len = (DeviceStore.entryHeader + payload.count + 7) & ~7
        guard len <= blockSize - DeviceStore.headerSize else { return false }
        lock.lock(); defer { lock.unlock() }
        if current < 0 || used + len > blockSize {
            guard startBlock() else { return false }
        }
        let p = buffer + used
        memset(p, 0, len)
        p.storeBytes(of: UInt32(len), as: UInt32.self)
        p.storeBytes(of: kind.rawValue, toByteOffset: 4, as: UInt8.self)
        digest.write(to: p + 8)
        p.storeBytes(of: UInt32(payload.count), toByteOffset: 28, as: UInt32.self)
        p.storeBytes(of: DeviceStore.checksum(kind.rawValue, digest, payload, seq: sequence), toByteOffset: 32, as: UInt32.self)
        if payload.count > 0 { memcpy(p + DeviceStore.entryHeader, payload.baseAddress!, payload.count) }
        used += len
        buffer.storeBytes(of: UInt32(used), toByteOffset: 16, as: UInt32.self)
        dirty = true
        if commitToDevice { writeCurrent() }
        return true
    }

    /// Seals the current block and opens the next free one. Caller holds the lock.
    private func startBlock() -> Bool {
        if current >= 0 { writeCurrent() }
        guard let next = free.popLast() else { return false }
        current = next
        sequence += 1
        memset(buffer, 0, blockSize)
        buffer.storeBytes(of: DeviceStore.magic, as: UInt64.self)
        buffer.storeBytes(of: sequence, toByteOffset: 8, as: UInt64.self)
        used = DeviceStore.headerSize
        buffer.storeBytes(of: UInt32(used), toByteOffset: 16, as: UInt32.self)
        dirty = true
        flushedTo = 0
        return true
    }

    /// Writes the current block whole. Caller holds the lock.
    private func writeCurrent() {
        guard current >= 0, dirty else { return }
        // The pages from the first one not yet on the file through the one holding `used`
        // (the tail of that page is zeros, which is where replay stops).
        let page = 4096
        let from = (flushedTo / page) * page
        let to = min(blockSize, (used + page - 1) / page * page)
        guard to > from else { dirty = false; return }
        if aero_pwrite_all(fd, buffer + from, to - from, Int64(current * blockSize + from)) == 0 {
            if !direct { fdatasync(fd) }
            dirty = false
            flushedTo = used
        }
    }

    /// The flusher's turn (every flush-max-ms) and the clean-shutdown flush.
    public func flush() { lock.withLock { writeCurrent() } }

    public var freeBlocks: Int { lock.withLock { free.count } }
    public var totalBlocks: Int { blockCount }

    static func checksum(_ kind: UInt8, _ d: Digest, _ payload: UnsafeRawBufferPointer, seq: UInt64) -> UInt32 {
        var h: UInt32 = 0x811c_9dc5 ^ UInt32(kind)
        h = (h ^ UInt32(truncatingIfNeeded: seq)) &* 0x0100_0193
        h = (h ^ UInt32(truncatingIfNeeded: seq >> 32)) &* 0x0100_0193
        var dw = d
        withUnsafeBytes(of: &dw) { for b in $0.prefix(20) { h = (h ^ UInt32(b)) &* 0x0100_0193 } }
        for b in payload { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        h ^= UInt32(truncatingIfNeeded: payload.count)
        return h
    }
}
