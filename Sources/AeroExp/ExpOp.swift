/// Expression op codes (expressions.md section 4).
public enum ExpOp {
    public static let unknown = 0, eq = 1, ne = 2, gt = 3, ge = 4, lt = 5, le = 6, regex = 7, geo = 8, inList = 9
    public static let and = 16, or = 17, not = 18, exclusive = 19
    public static let add = 20, sub = 21, mul = 22, div = 23, pow = 24, log = 25, mod = 26, abs = 27
    public static let floor = 28, ceil = 29, toInt = 30, toFloat = 31
    public static let intAnd = 32, intOr = 33, intXor = 34, intNot = 35, lshift = 36, rshift = 37, arshift = 38
    public static let count = 39, lscan = 40, rscan = 41, min = 50, max = 51
    public static let digestModulo = 64, deviceSize = 65, lastUpdate = 66, sinceUpdate = 67, voidTime = 68, ttl = 69
    public static let setName = 70, keyExists = 71, isTombstone = 72, memorySize = 73, recordSize = 74
    public static let key = 80, bin = 81, binType = 82
    public static let resultRemove = 100, mapKeys = 101, mapValues = 102
    public static let cond = 123, variable = 124, let_ = 125, quote = 126, call = 127
    /// Internal: a literal value.
    static let literal = -1
}

/// One compiled node. Children are indices into `Expression.children`.
struct ExpNode {
    var op: Int
    var type: ExpType
    var first: Int32 = 0      // first child slot
    var count: Int32 = 0      // number of children
    var literal: ExpValue = .nil_
    var int: Int64 = 0        // BIN type, regex flags, DIGEST_MODULO divisor, LET/VAR slot, CALL system
    var name: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)  // bin name / raw op list
    var regex: Int32 = -1     // index into Expression.regexes
}
