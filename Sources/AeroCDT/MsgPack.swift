/// Aerospike's msgpack (cdt.md section 1): standard msgpack plus type-prefixed strings and
/// blobs, the ordered-collection ext marker, and wildcard / infinity ext values.

/// What a msgpack element is, in Aerospike's value order (cdt.md 1.2): comparing two
/// kinds' raw values orders values of different types.
public enum MPKind: Int, Comparable, Sendable {
    case nil_ = 1, false_, true_, negInt, int, string, list, map, bytes, double, geojson, ext, wildcard, infinity
    public static func < (a: MPKind, b: MPKind) -> Bool { a.rawValue < b.rawValue }
}

/// One element's header, as read at a position.
public struct MPHeader: Sendable {
    public var kind: MPKind
    /// Bytes of the header itself (type byte and length bytes).
    public var headerSize: Int
    /// Payload bytes after the header (strings, blobs, ext data, numbers); 0 for containers.
    public var payloadSize: Int
    /// Elements that follow for a list (n) or map (2n: keys and values).
    public var children: Int
    /// Integer value (int kinds), bool, or the ext type for ext kinds.
    public var int: Int64 = 0
    /// For uint64 values above Int64.max.
    public var bigUnsigned = false
    public var double: Double = 0
    /// For ext: the ext type byte (0xff for wildcard/infinity); for a list/map marker, the flags.
    public var extType: UInt8 = 0
    /// Element count of a list or map (pairs for a map).
    public var count: Int { kind == .map ? children / 2 : children }
}

/// Reads msgpack from a byte buffer; every length is checked against what remains.
public struct MPReader {
    public let buf: UnsafeRawBufferPointer
    public var at: Int
    public init(_ buf: UnsafeRawBufferPointer, at: Int = 0) { self.buf = buf; self.at = at }

    public var remaining: Int { buf.count - at }
    public var atEnd: Bool { at >= buf.count }

    @inline(__always) func need(_ n: Int, _ from: Int) throws(CDTError) {
        if n < 0 || from + n > buf.count { throw .parameter }
    }
    @inline(__always) func u8(_ i: Int) -> UInt8 { buf[i] }
    @inline(__always) func be(_ i: Int, _ n: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<n { v = v << 8 | UInt64(buf[i + k]) }
        return v
    }

    /// The header of the element at `at` (does not move).
    public func header() throws(CDTError) -> MPHeader {
        try need(1, at)
        let t = u8(at)
        func h(_ k: MPKind, _ hs: Int, _ ps: Int, _ ch: Int = 0) throws(CDTError) -> MPHeader {
            try need(hs + ps, at)
            return MPHeader(kind: k, headerSize: hs, payloadSize: ps, children: ch)
        }
        switch t {
        case 0x00...0x7f: var x = try h(.int, 1, 0); x.int = Int64(t); return x
        case 0xe0...0xff: var x = try h(.negInt, 1, 0); x.int = Int64(Int8(bitPattern: t)); return x
        case 0x80...0x8f: return try h(.map, 1, 0, Int(t & 0x0f) * 2)
        case 0x90...0x9f: return try h(.list, 1, 0, Int(t & 0x0f))
        case 0xa0...0xbf: return try strHeader(1, Int(t & 0x1f))
        case 0xc0: return try h(.nil_, 1, 0)
        case 0xc2: return try h(.false_, 1, 0)
        case 0xc3: var x = try h(.true_, 1, 0); x.int = 1; return x
        case 0xc4, 0xd9: try need(2, at); return try strHeader(2, Int(be(at + 1, 1)))
        case 0xc5, 0xda: try need(3, at); return try strHeader(3, Int(be(at + 1, 2)))
        case 0xc6, 0xdb: try need(5, at); return try strHeader(5, Int(be(at + 1, 4)))
        case 0xc7, 0xc8, 0xc9:
            let lb = t == 0xc7 ? 1 : t == 0xc8 ? 2 : 4
            try need(2 + lb, at)
            var x = try h(.ext, 2 + lb, Int(be(at + 1, lb)))
            x.extType = u8(at + 1 + lb)
            return x
        case 0xca:
            var x = try h(.double, 1, 4); x.double = Double(Float(bitPattern: UInt32(be(at + 1, 4)))); return x
        case 0xcb:
            var x = try h(.double, 1, 8); x.double = Double(bitPattern: be(at + 1, 8)); return x
        case 0xcc, 0xcd, 0xce, 0xcf:
            let n = 1 << Int(t - 0xcc)
            var x = try h(.int, 1, n)
            let v = be(at + 1, n)
            if v > UInt64(Int64.max) { x.bigUnsigned = true; x.int = Int64(bitPattern: v) } else { x.int = Int64(v) }
            return x
        case 0xd0, 0xd1, 0xd2, 0xd3:
            let n = 1 << Int(t - 0xd0)
            var x = try h(.int, 1, n)
            let raw = be(at + 1, n)
            let shift = UInt64(64 - n * 8)
            x.int = Int64(bitPattern: raw << shift) >> Int64(shift)
            if x.int < 0 { x.kind = .negInt }
            return x
        case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
            let n = 1 << Int(t - 0xd4)
            var x = try h(.ext, 2, n)
            x.extType = u8(at + 1)
            if x.extType == 0xff && n == 1 {
                let v = u8(at + 2)
                if v == 0 { x.kind = .wildcard } else if v == 1 { x.kind = .infinity }
            }
            return x
        case 0xdc: try need(3, at); return try h(.list, 3, 0, Int(be(at + 1, 2)))
        case 0xdd: try need(5, at); return try h(.list, 5, 0, Int(be(at + 1, 4)))
        case 0xde: try need(3, at); return try h(.map, 3, 0, Int(be(at + 1, 2)) * 2)
        case 0xdf: try need(5, at); return try h(.map, 5, 0, Int(be(at + 1, 4)) * 2)
        default: throw .parameter  // 0xc1 is never used
        }
    }

    /// str/bin families: the first payload byte is the particle type (3 string, 23 GeoJSON,
    /// anything else bytes); an empty payload is an empty blob.
    private func strHeader(_ hs: Int, _ len: Int) throws(CDTError) -> MPHeader {
        try need(hs + len, at)
        var kind = MPKind.bytes
        if len > 0 {
            switch u8(at + hs) {
            case 3: kind = .string
            case 23: kind = .geojson
            default: kind = .bytes
            }
        }
        return MPHeader(kind: kind, headerSize: hs, payloadSize: len, children: 0)
    }

    /// Reads a header and moves past it (and past the payload of a scalar).
    public mutating func next() throws(CDTError) -> MPHeader {
        let h = try header()
        at += h.headerSize + h.payloadSize
        return h
    }

    /// Skips one whole element (containers included), iteratively: nesting depth costs
    /// no stack. `maxElements` bounds the work on hostile input.
    public mutating func skip() throws(CDTError) {
        var pending = 1
        while pending > 0 {
            let h = try next()
            pending -= 1
            // A count larger than the bytes left cannot be real: each element takes a byte.
            if h.children > remaining { throw .parameter }
            pending += h.children
        }
    }

    /// The bytes of the element at `at`, moving past it.
    public mutating func element() throws(CDTError) -> UnsafeRawBufferPointer {
        let start = at
        try skip()
        return UnsafeRawBufferPointer(rebasing: buf[start..<at])
    }

    /// Checks that the element at `at` is well formed and nests no deeper than `maxDepth`.
    public static func validate(_ b: UnsafeRawBufferPointer, maxDepth: Int = 128) throws(CDTError) {
        var r = MPReader(b)
        var stack: [Int] = []   // children left per open container
        var pending = 1
        while pending > 0 || !stack.isEmpty {
            if pending == 0 { pending = stack.removeLast(); continue }
            let h = try r.next()
            pending -= 1
            if h.children > 0 {
                if h.children > r.remaining { throw .parameter }
                stack.append(pending)
                if stack.count > maxDepth { throw .parameter }
                pending = h.children
            }
        }
        if !r.atEnd { throw .parameter }
    }
}

extension Array where Element == UInt8 {
    /// Runs `body` with a reader over the array.
    @inlinable public func withReader<T>(_ body: (inout MPReader) throws(CDTError) -> T) throws(CDTError) -> T {
        try withBytes { (raw: UnsafeRawBufferPointer) throws(CDTError) -> T in
            var r = MPReader(raw)
            return try body(&r)
        }
    }

    /// `withUnsafeBytes` for typed-throwing bodies (the standard one only rethrows `any Error`).
    @inlinable public func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws(CDTError) -> T) throws(CDTError) -> T {
        let result: Result<T, CDTError> = withUnsafeBytes { raw in
            Result { () throws(CDTError) -> T in try body(raw) }
        }
        return try result.get()
    }
}
