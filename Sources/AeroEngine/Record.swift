#if canImport(Glibc)
import Glibc
#endif

/// One record as a single malloc'd buffer: metadata, optional stored key, bins.
/// The same flat layout is what the device engine writes (DeviceStore entries).
///
///     0  u32 total size                 16 u16 bin count
///     4  u16 generation                 18 u8  key particle type (0 = no stored key)
///     6  u16 set id (0 = none)          19 u40 last-update time (ms since 2010; 40 bits as on
///     8  u32 void time (s since 2010,          the real server: good until 2044)
///           0 = never)                  24 [u32 key length, key bytes]  when a key is stored
///    12  u32 digest bytes 16..19        then bins: u8 name length, name, u8 particle,
///           (the index holds bytes 0..15)          varint value length (LEB128), value
public struct RecordRef {
    public let p: UnsafeMutableRawPointer
    @inlinable public init(_ p: UnsafeMutableRawPointer) { self.p = p }

    public static let headerSize = 24

    @inlinable public var size: Int { Int(p.load(fromByteOffset: 0, as: UInt32.self)) }
    @inlinable public var generation: UInt16 { p.load(fromByteOffset: 4, as: UInt16.self) }
    @inlinable public var setID: UInt16 { p.load(fromByteOffset: 6, as: UInt16.self) }
    @inlinable public var voidTime: UInt32 {
        get { p.load(fromByteOffset: 8, as: UInt32.self) }
        nonmutating set { p.storeBytes(of: newValue, toByteOffset: 8, as: UInt32.self) }
    }
    @inlinable public var digestTail: UInt32 { p.load(fromByteOffset: 12, as: UInt32.self) }
    @inlinable public var binCount: Int { Int(p.load(fromByteOffset: 16, as: UInt16.self)) }
    @inlinable public var keyType: UInt8 { p.load(fromByteOffset: 18, as: UInt8.self) }
    @inlinable public var lastUpdateMs: UInt64 {
        get {
            let lo = UInt64(p.loadUnaligned(fromByteOffset: 19, as: UInt32.self))
            return lo | UInt64(p.load(fromByteOffset: 23, as: UInt8.self)) << 32
        }
        nonmutating set {
            p.storeBytes(of: UInt32(truncatingIfNeeded: newValue), toByteOffset: 19, as: UInt32.self)
            p.storeBytes(of: UInt8(truncatingIfNeeded: newValue >> 32), toByteOffset: 23, as: UInt8.self)
        }
    }
    @inlinable public var keyLength: Int {
        keyType == 0 ? 0 : Int(p.loadUnaligned(fromByteOffset: RecordRef.headerSize, as: UInt32.self))
    }
    @inlinable public var key: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: p + RecordRef.headerSize + 4, count: keyLength)
    }
    @inlinable public var binsStart: Int { RecordRef.headerSize + (keyType == 0 ? 0 : 4 + keyLength) }

    /// Expired when a void time is set and lies before `now` (at `now == void` it still lives).
    @inlinable public func isExpired(now: UInt32) -> Bool {
        let v = voidTime
        return v != 0 && v < now
    }

    /// Visits bins in stored order.
    @inlinable public func forEachBin(_ visit: (_ name: UnsafeRawBufferPointer, _ particle: UInt8, _ value: UnsafeRawBufferPointer) -> Void) {
        var at = binsStart
        for _ in 0..<binCount {
            let nameLen = Int(p.load(fromByteOffset: at, as: UInt8.self))
            let name = UnsafeRawBufferPointer(start: p + at + 1, count: nameLen)
            at += 1 + nameLen
            let particle = p.load(fromByteOffset: at, as: UInt8.self)
            at += 1
            let valueLen = readVarint(p, &at)
            visit(name, particle, UnsafeRawBufferPointer(start: p + at, count: valueLen))
            at += valueLen
        }
    }

    /// Finds one bin by name.
    @inlinable public func findBin(_ want: UnsafeRawBufferPointer) -> (particle: UInt8, value: UnsafeRawBufferPointer)? {
        var found: (UInt8, UnsafeRawBufferPointer)?
        forEachBin { name, particle, value in
            if found == nil, name.elementsEqual(want) { found = (particle, value) }
        }
        return found
    }

    public func free() { Glibc.free(p) }
}

@inlinable func readVarint(_ p: UnsafeMutableRawPointer, _ at: inout Int) -> Int {
    var v = 0, shift = 0
    while true {
        let b = p.load(fromByteOffset: at, as: UInt8.self)
        at += 1
        v |= Int(b & 0x7F) << shift
        if b < 0x80 { return v }
        shift += 7
    }
}

@inlinable func varintSize(_ v: Int) -> Int {
    var n = 1, x = v >> 7
    while x > 0 { n += 1; x >>= 7 }
    return n
}

@inlinable func writeVarint(_ p: UnsafeMutableRawPointer, _ at: inout Int, _ value: Int) {
    var v = value
    while v >= 0x80 {
        p.storeBytes(of: UInt8(v & 0x7F) | 0x80, toByteOffset: at, as: UInt8.self)
        at += 1; v >>= 7
    }
    p.storeBytes(of: UInt8(v), toByteOffset: at, as: UInt8.self)
    at += 1
}

/// Stored size of one bin.
@inlinable func binStoredSize(nameLength: Int, valueLength: Int) -> Int {
    2 + nameLength + varintSize(valueLength) + valueLength
}

/// Builds record buffers in the layout above.
enum RecordWriter {
    /// Allocates and fills a record. `bins` are written in order.
    static func make(digest: Digest, generation: UInt16, setID: UInt16, voidTime: UInt32, lastUpdateMs: UInt64,
                     keyType: UInt8, key: UnsafeRawBufferPointer, bins: [WorkBin], size: Int) -> UnsafeMutableRawPointer {
        let raw = malloc(size)!
        raw.storeBytes(of: UInt32(size), toByteOffset: 0, as: UInt32.self)
        raw.storeBytes(of: generation, toByteOffset: 4, as: UInt16.self)
        raw.storeBytes(of: setID, toByteOffset: 6, as: UInt16.self)
        raw.storeBytes(of: voidTime, toByteOffset: 8, as: UInt32.self)
        raw.storeBytes(of: digest.w2, toByteOffset: 12, as: UInt32.self)
        raw.storeBytes(of: UInt16(bins.count), toByteOffset: 16, as: UInt16.self)
        raw.storeBytes(of: keyType, toByteOffset: 18, as: UInt8.self)
        RecordRef(raw).lastUpdateMs = lastUpdateMs
        var at = RecordRef.headerSize
        if keyType != 0 {
            raw.storeBytes(of: UInt32(key.count), toByteOffset: at, as: UInt32.self)
            if key.count > 0 { memcpy(raw + at + 4, key.baseAddress!, key.count) }
            at += 4 + key.count
        }
        for b in bins {
            raw.storeBytes(of: UInt8(b.name.count), toByteOffset: at, as: UInt8.self)
            if b.name.count > 0 { memcpy(raw + at + 1, b.name.baseAddress!, b.name.count) }
            at += 1 + b.name.count
            raw.storeBytes(of: b.particle, toByteOffset: at, as: UInt8.self)
            at += 1
            writeVarint(raw, &at, b.value.count)
            if b.value.count > 0 { memcpy(raw + at, b.value.baseAddress!, b.value.count) }
            at += b.value.count
        }
        precondition(at == size, "record size mismatch")
        return raw
    }

    static func size(keyType: UInt8, keyLength: Int, bins: [WorkBin]) -> Int {
        var n = RecordRef.headerSize + (keyType == 0 ? 0 : 4 + keyLength)
        for b in bins { n += binStoredSize(nameLength: b.name.count, valueLength: b.value.count) }
        return n
    }
}
