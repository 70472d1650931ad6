import AeroCDT

/// Static and runtime types of expression values (result-type codes of the wire format).
public enum ExpType: Int, Sendable {
    case nil_ = 0, bool, int, str, list, map, blob, float, geo, hll
    /// Statically unknown (VAR of a COND, the literal UNKNOWN): checked at run time.
    case any = 99
}

/// Bytes an expression value holds: borrowed (record or request memory, valid for the
/// evaluation) or owned (computed).
public enum ExpBytes {
    case borrowed(UnsafeRawBufferPointer)
    case owned([UInt8])

    @inlinable public func with<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T {
        switch self {
        case .borrowed(let b): return body(b)
        case .owned(let a): return a.withUnsafeBytes(body)
        }
    }
    public var array: [UInt8] {
        switch self {
        case .borrowed(let b): return Array(b)
        case .owned(let a): return a
        }
    }
}

/// A runtime value. Strings hold their UTF-8 text, blobs their bytes (with the particle
/// type), lists and maps their msgpack, GeoJSON its text.
public enum ExpValue {
    case unknown
    case nil_
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case str(ExpBytes)
    case blob(ExpBytes, particle: UInt8)
    case list(ExpBytes)
    case map(ExpBytes)
    case geo(ExpBytes)
    case hll(ExpBytes)

    public var type: ExpType {
        switch self {
        case .unknown: return .any
        case .nil_: return .nil_
        case .bool: return .bool
        case .int: return .int
        case .float: return .float
        case .str: return .str
        case .blob: return .blob
        case .list: return .list
        case .map: return .map
        case .geo: return .geo
        case .hll: return .hll
        }
    }
    public var isUnknown: Bool { if case .unknown = self { return true }; return false }

    /// The value as a msgpack element (for CDT arguments and comparisons of collections).
    public func msgpack() -> [UInt8]? {
        var w = MPWriter()
        switch self {
        case .unknown: return nil
        case .nil_: w.appendNil()
        case .bool(let b): w.appendBool(b)
        case .int(let i): w.appendInt(i)
        case .float(let d): w.appendDouble(d)
        case .str(let b): b.with { w.appendPrefixed(3, $0) }
        case .blob(let b, let p): b.with { w.appendPrefixed(p, $0) }
        case .geo(let b): b.with { w.appendPrefixed(23, $0) }
        case .hll(let b): b.with { w.appendPrefixed(18, $0) }
        case .list(let b), .map(let b): return b.array
        }
        return w.bytes
    }

    /// Reads one msgpack element (a literal or a CDT result) as a value.
    public static func fromMsgpack(_ b: UnsafeRawBufferPointer, owned: Bool) -> ExpValue? {
        guard let h = try? MPReader(b).header() else { return nil }
        func bytes(_ s: UnsafeRawBufferPointer) -> ExpBytes { owned ? .owned(Array(s)) : .borrowed(s) }
        switch h.kind {
        case .nil_: return .nil_
        case .false_: return .bool(false)
        case .true_: return .bool(true)
        case .int, .negInt: return .int(h.int)
        case .double: return .float(h.double)
        case .string, .bytes, .geojson:
            let p = UnsafeRawBufferPointer(rebasing: b[(h.headerSize)..<(h.headerSize + h.payloadSize)])
            if p.count == 0 { return .blob(bytes(p), particle: 4) }
            let text = UnsafeRawBufferPointer(rebasing: p[1...])
            switch p[0] {
            case 3: return .str(bytes(text))
            case 23: return .geo(bytes(text))
            case 18: return .hll(bytes(text))
            default: return .blob(bytes(text), particle: p[0])
            }
        case .list:
            return .list(bytes(UnsafeRawBufferPointer(rebasing: b[0..<elementSize(b)])))
        case .map:
            return .map(bytes(UnsafeRawBufferPointer(rebasing: b[0..<elementSize(b)])))
        default:
            return nil
        }
    }

    static func elementSize(_ b: UnsafeRawBufferPointer) -> Int {
        var r = MPReader(b)
        return (try? r.skip()) != nil ? r.at : b.count
    }
}
