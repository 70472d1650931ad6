/// The arguments of one CDT operation: `[op_code, arg1, arg2, ...]` after the op code,
/// each kept as its msgpack bytes. Accessors check kinds and answer PARAMETER (4).
public struct OpArgs: Sendable {
    public var values: [[UInt8]]
    public init(_ values: [[UInt8]]) { self.values = values }

    public var count: Int { values.count }
    public func has(_ i: Int) -> Bool { i < values.count }

    /// A signed integer argument (index, rank, delta as int).
    public func int(_ i: Int) throws(CDTError) -> Int64 {
        guard i < values.count else { throw .parameter }
        let h = try values[i].withReader { r throws(CDTError) in try r.next() }
        guard h.kind == .int || h.kind == .negInt, !h.bigUnsigned else { throw .parameter }
        return h.int
    }
    /// An optional integer argument with a default when absent.
    public func int(_ i: Int, default d: Int64) throws(CDTError) -> Int64 {
        has(i) ? try int(i) : d
    }
    /// An unsigned count/flags argument.
    public func uint(_ i: Int, default d: UInt64? = nil) throws(CDTError) -> UInt64 {
        guard i < values.count else {
            if let d { return d }
            throw .parameter
        }
        let h = try values[i].withReader { r throws(CDTError) in try r.next() }
        guard h.kind == .int else { throw .parameter }
        return UInt64(bitPattern: h.int)
    }
    /// Any value (wildcard/infinity allowed: used for matching).
    public func value(_ i: Int) throws(CDTError) -> [UInt8] {
        guard i < values.count else { throw .parameter }
        return values[i]
    }
    /// A value that will be stored: wildcard and infinity are refused (also nested).
    public func storable(_ i: Int) throws(CDTError) -> [UInt8] {
        let v = try value(i)
        try OpArgs.checkStorable(v)
        return v
    }

    public static func checkStorable(_ v: [UInt8]) throws(CDTError) {
        try v.withReader { r throws(CDTError) in
            var pending = 1
            while pending > 0 {
                let h = try r.next()
                pending -= 1
                if h.kind == .wildcard || h.kind == .infinity { throw .parameter }
                pending += h.children
            }
        }
    }

    /// The elements of a list argument (value lists, items to append).
    public func list(_ i: Int) throws(CDTError) -> [[UInt8]] {
        let v = try value(i)
        do {
            return try CDTList.parse(v).items
        } catch {
            throw .parameter
        }
    }

    /// Splits an op payload `[code, args...]` (already validated msgpack) into code and args.
    public static func split(_ op: UnsafeRawBufferPointer) throws(CDTError) -> (code: Int, args: OpArgs) {
        var r = MPReader(op)
        let h = try r.next()
        guard h.kind == .list, h.children >= 1 else { throw .parameter }
        let c = try r.next()
        guard c.kind == .int else { throw .parameter }
        var args: [[UInt8]] = []
        args.reserveCapacity(h.children - 1)
        for _ in 1..<h.children { args.append(Array(try r.element())) }
        return (Int(c.int), OpArgs(args))
    }
}

/// Return types (cdt.md section 5): low bits the type, 0x10000 INVERTED.
public struct ReturnType: Sendable, Equatable {
    public var type: Int
    public var inverted: Bool
    public init(_ raw: Int64) {
        type = Int(raw & 0xFFFF)
        inverted = raw & 0x10000 != 0
    }
    public static let none = 0, index = 1, reverseIndex = 2, rank = 3, reverseRank = 4, count = 5,
                      key = 6, value = 7, keyValue = 8, exists = 13, unorderedMap = 16, orderedMap = 17
}
