/// Map operations (cdt.md 4, 5, 7): op codes 64–89 modify, 96–110 read.
public enum MapOps {
    /// True for map op codes that modify (64...89).
    public static func isModify(_ code: Int) -> Bool { (64...89).contains(code) }

    /// Applies map op `code` with `args` to `map`. `map == nil` means the bin/element does not
    /// exist: read ops return nil (no result); modify ops create an empty map first (attributes
    /// from the op's own args: PUT/PUT_ITEMS/INCREMENT attribute argument, SET_TYPE flags),
    /// except removes and other ops that are no-ops on a missing map (return nil, map stays nil).
    /// Returns the op's result as msgpack bytes (nil = no result), e.g. PUT → MP.int(newSize).
    /// Throws CDTError with the real server's code: 4 bad args/unknown code/bad key type,
    /// 12 wrong type, 23 UPDATE_ONLY on a missing key, 24 CREATE_ONLY on an existing key,
    /// 26 index out of range / not applicable. On throw, `map` is left unchanged.
    public static func apply(code: Int, args: OpArgs, to map: inout CDTMap?) throws(CDTError) -> [UInt8]? {
        switch code {
        case 64: return try MapModify.setType(args, &map)
        case 65, 67, 69: return try MapModify.put(code, args, &map)
        case 66, 68, 70: return try MapModify.putItems(code, args, &map)
        case 73, 74: return try MapModify.increment(args, &map, decrement: code == 74)
        case 75:
            if map != nil { map!.entries.removeAll() }
            return nil
        case 96:
            guard let m = map else { return nil }
            return MP.int(Int64(m.count))
        default:
            // Reads of a missing map have no result, whatever the code (asd never looks at
            // the op when the bin is missing); removes are no-ops there, before their
            // arguments are even read; an unknown modify code is refused.
            if map == nil && !isModify(code) { return nil }
            guard let sel = MapSelector(code: code) else { throw .parameter }
            guard map != nil else { return nil }
            if !isModify(code) { return try select(sel, args, map!).result }
            let outcome = try select(sel, args, map!)
            remove(outcome.removal, from: &map!)
            return outcome.result
        }
    }

    static func select(_ sel: MapSelector, _ args: OpArgs, _ map: CDTMap) throws(CDTError) -> MapOutcome {
        try MapArgs.arity(args, sel.minArgs, sel.maxArgs)
        let rt = ReturnType(try MapArgs.int(args, 0))
        let s = MapSelection(map, rt: rt, multi: sel.multi)
        let noCount = UInt64(UInt32.max)
        switch sel {
        case .key:
            return try s.byKeyInterval(try args.value(1), end: nil, exact: true)
        case .index:
            return try s.byIndexRange(try MapArgs.int(args, 1), 1)
        case .value, .allByValue:
            return try s.byValueInterval(try args.value(1), end: nil, exact: true)
        case .rank:
            return try s.byRankRange(try MapArgs.int(args, 1), 1)
        case .keyList:
            return try s.byKeyList(try args.list(1))
        case .valueList:
            return try s.byValueList(try args.list(1))
        case .keyInterval:
            let start = try args.value(1)
            let end = args.has(2) ? try args.value(2) : nil
            return try s.byKeyInterval(start, end: end, exact: false)
        case .valueInterval:
            let start = try args.value(1)
            let end = args.has(2) ? try args.value(2) : nil
            return try s.byValueInterval(start, end: end, exact: false)
        case .indexRange:
            let index = try MapArgs.int(args, 1)
            return try s.byIndexRange(index, try MapArgs.uint(args, 2, default: noCount))
        case .rankRange:
            let rank = try MapArgs.int(args, 1)
            return try s.byRankRange(rank, try MapArgs.uint(args, 2, default: noCount))
        case .keyRelIndex:
            let key = try args.value(1)
            let index = try MapArgs.int(args, 2)
            return try s.byKeyRelIndexRange(key, index, try MapArgs.uint(args, 3, default: noCount))
        case .valueRelRank:
            let value = try args.value(1)
            let rank = try MapArgs.int(args, 2)
            return try s.byValueRelRankRange(value, rank, try MapArgs.uint(args, 3, default: noCount))
        }
    }

    static func remove(_ removal: MapRemoval, from map: inout CDTMap) {
        switch removal {
        case .none: break
        case .all: map.entries.removeAll()
        case .range(let r): map.entries.removeSubrange(r)
        case .positions(let ps):
            let n = map.entries.count
            var w = 0, j = 0
            for i in 0..<n {
                if j < ps.count && ps[j] == i { j += 1; continue }
                if w != i { map.entries[w] = map.entries[i] }
                w += 1
            }
            map.entries.removeLast(n - w)
        }
    }
}

/// The GET_BY_* / REMOVE_BY_* op families (read and remove codes share a selector).
enum MapSelector {
    case key, index, value, rank, keyList, allByValue, valueList
    case keyInterval, indexRange, valueInterval, rankRange, keyRelIndex, valueRelRank

    init?(code: Int) {
        switch code {
        case 76, 97: self = .key
        case 77, 98: self = .index
        case 78, 99: self = .value
        case 79, 100: self = .rank
        case 81, 107: self = .keyList
        case 82, 102: self = .allByValue
        case 83, 108: self = .valueList
        case 84, 103: self = .keyInterval
        case 85, 104: self = .indexRange
        case 86, 105: self = .valueInterval
        case 87, 106: self = .rankRange
        case 88, 109: self = .keyRelIndex
        case 89, 110: self = .valueRelRank
        default: return nil
        }
    }

    var multi: Bool {
        switch self {
        case .key, .index, .value, .rank: return false
        default: return true
        }
    }
    var minArgs: Int {
        switch self {
        case .keyRelIndex, .valueRelRank: return 3
        default: return 2
        }
    }
    var maxArgs: Int {
        switch self {
        case .keyInterval, .indexRange, .valueInterval, .rankRange: return 3
        case .keyRelIndex, .valueRelRank: return 4
        default: return 2
        }
    }
}

/// Argument readers with the server's leniency: an index/return type is any msgpack integer
/// (read as int64), a count/flags argument any integer read as uint64 (so -1 is "all").
enum MapArgs {
    static func arity(_ a: OpArgs, _ lo: Int, _ hi: Int) throws(CDTError) {
        if a.count < lo || a.count > hi { throw .parameter }
    }
    static func int(_ a: OpArgs, _ i: Int) throws(CDTError) -> Int64 {
        let v = try a.value(i)
        let h = try v.withReader { r throws(CDTError) in try r.next() }
        guard h.kind == .int || h.kind == .negInt else { throw .parameter }
        return h.int
    }
    static func uint(_ a: OpArgs, _ i: Int, default d: UInt64) throws(CDTError) -> UInt64 {
        a.has(i) ? UInt64(bitPattern: try int(a, i)) : d
    }
    /// Map attributes as the server reads them: the low byte of the argument.
    static func flags(_ a: OpArgs, _ i: Int) throws(CDTError) -> UInt8 {
        a.has(i) ? UInt8(truncatingIfNeeded: try int(a, i)) : 0
    }
}
