/// Writes msgpack the way the server stores it: shortest integer forms, type-prefixed strings.
public struct MPWriter {
    public var bytes: [UInt8] = []
    public init() {}
    public init(capacity: Int) { bytes.reserveCapacity(capacity) }

    public mutating func appendNil() { bytes.append(0xc0) }
    public mutating func appendBool(_ b: Bool) { bytes.append(b ? 0xc3 : 0xc2) }

    public mutating func appendInt(_ v: Int64) {
        if v >= 0 {
            appendUInt(UInt64(v))
        } else if v >= -32 {
            bytes.append(UInt8(bitPattern: Int8(v)))
        } else if v >= Int64(Int8.min) {
            bytes.append(0xd0); bytes.append(UInt8(bitPattern: Int8(v)))
        } else if v >= Int64(Int16.min) {
            bytes.append(0xd1); be(UInt64(UInt16(bitPattern: Int16(v))), 2)
        } else if v >= Int64(Int32.min) {
            bytes.append(0xd2); be(UInt64(UInt32(bitPattern: Int32(v))), 4)
        } else {
            bytes.append(0xd3); be(UInt64(bitPattern: v), 8)
        }
    }
    public mutating func appendUInt(_ v: UInt64) {
        switch v {
        case 0..<128: bytes.append(UInt8(v))
        case 128..<256: bytes.append(0xcc); bytes.append(UInt8(v))
        case 256..<65536: bytes.append(0xcd); be(v, 2)
        case 65536..<(1 << 32): bytes.append(0xce); be(v, 4)
        default: bytes.append(0xcf); be(v, 8)
        }
    }
    public mutating func appendDouble(_ d: Double) { bytes.append(0xcb); be(d.bitPattern, 8) }

    /// A string or blob: str header for n+1 bytes, the particle type, then the bytes.
    public mutating func appendPrefixed(_ particle: UInt8, _ payload: UnsafeRawBufferPointer) {
        strHeader(payload.count + 1)
        bytes.append(particle)
        bytes.append(contentsOf: payload)
    }
    public mutating func appendString(_ s: String) {
        Array(s.utf8).withUnsafeBytes { appendPrefixed(3, $0) }
    }
    mutating func strHeader(_ n: Int) {
        switch n {
        case 0..<32: bytes.append(0xa0 | UInt8(n))
        case 32..<256: bytes.append(0xd9); bytes.append(UInt8(n))
        case 256..<65536: bytes.append(0xda); be(UInt64(n), 2)
        default: bytes.append(0xdb); be(UInt64(n), 4)
        }
    }

    public mutating func appendArrayHeader(_ n: Int) {
        switch n {
        case 0..<16: bytes.append(0x90 | UInt8(n))
        case 16..<65536: bytes.append(0xdc); be(UInt64(n), 2)
        default: bytes.append(0xdd); be(UInt64(n), 4)
        }
    }
    public mutating func appendMapHeader(_ n: Int) {
        switch n {
        case 0..<16: bytes.append(0x80 | UInt8(n))
        case 16..<65536: bytes.append(0xde); be(UInt64(n), 2)
        default: bytes.append(0xdf); be(UInt64(n), 4)
        }
    }
    /// The ordered-collection marker `c7 00 <flags>`.
    public mutating func appendExtMarker(_ flags: UInt8) { bytes += [0xc7, 0x00, flags] }

    /// Already-encoded msgpack.
    public mutating func appendRaw(_ b: UnsafeRawBufferPointer) { bytes.append(contentsOf: b) }
    public mutating func appendRaw(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    mutating func be(_ v: UInt64, _ n: Int) {
        for k in stride(from: n - 1, through: 0, by: -1) { bytes.append(UInt8(truncatingIfNeeded: v >> (UInt64(k) * 8))) }
    }
}

/// Small helpers to build msgpack values (results, tests).
public enum MP {
    public static func int(_ v: Int64) -> [UInt8] { var w = MPWriter(); w.appendInt(v); return w.bytes }
    public static func double(_ v: Double) -> [UInt8] { var w = MPWriter(); w.appendDouble(v); return w.bytes }
    public static func bool(_ v: Bool) -> [UInt8] { [v ? 0xc3 : 0xc2] }
    public static let nil_: [UInt8] = [0xc0]
    public static func string(_ s: String) -> [UInt8] { var w = MPWriter(); w.appendString(s); return w.bytes }
    public static func list(_ items: [[UInt8]]) -> [UInt8] {
        var w = MPWriter(); w.appendArrayHeader(items.count); for i in items { w.appendRaw(i) }; return w.bytes
    }
    public static func map(_ pairs: [([UInt8], [UInt8])]) -> [UInt8] {
        var w = MPWriter(); w.appendMapHeader(pairs.count); for (k, v) in pairs { w.appendRaw(k); w.appendRaw(v) }; return w.bytes
    }
    public static let wildcard: [UInt8] = [0xd4, 0xff, 0x00]
    public static let infinity: [UInt8] = [0xd4, 0xff, 0x01]
}
