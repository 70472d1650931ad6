/// List operations (cdt.md section 3): dispatch, argument checking, missing-list rules.
///
/// Behaviour follows asd CE 8.1.2.0 (the observed facts in cdt.md and the probe captures);
/// where nothing was observed, the server's documented algorithm (particle_list.c) is followed.

public enum ListOps {
    /// True for list op codes that modify (0...13, 32...40).
    public static func isModify(_ code: Int) -> Bool {
        (0...13).contains(code) || (32...40).contains(code)
    }

    /// Applies list op `code` with `args` to `list`. `list == nil` means the bin/element does not
    /// exist: read ops return nil (no result); modify ops create an empty list first (order flags
    /// from the op's own args), except the remove/pop family, TRIM and CLEAR, which are no-ops on
    /// a missing list (nil result, list stays nil), and SORT, which answers 12 like the server.
    /// Returns the op's result as msgpack bytes (nil = no result).
    /// On throw, `list` is left unchanged.
    public static func apply(code: Int, args: OpArgs, to list: inout CDTList?) throws(CDTError) -> [UInt8]? {
        guard let op = ListOpCode(rawValue: code) else { throw .parameter }
        let a = ListArgs(args)

        if !isModify(code) {
            guard let l = list else { return nil }
            try a.check(op)
            return try ListRead.apply(op, a, l)
        }

        switch op {
        case .pop, .popRange, .remove, .removeRange, .trim, .clear,
             .removeByIndex, .removeByValue, .removeByRank, .removeAllByValue, .removeAllByValueList,
             .removeByIndexRange, .removeByValueInterval, .removeByRankRange, .removeByValueRelRankRange:
            guard list != nil else { return nil }  // no-op before the arguments are even read
        case .sort:
            guard list != nil else { throw .incompatibleType }
        default:
            break
        }
        try a.check(op)

        // The list is moved out so that the op changes it in place (no copy-on-write copy).
        // Every modify op validates everything before its first change, so on a throw `work`
        // is still the list as it was.
        let existed = list != nil
        var work: CDTList
        if let l = list { work = l } else { work = CDTList(flags: try a.createFlags(op)) }
        list = nil
        do throws(CDTError) {
            let result = try ListModify.apply(op, a, &work)
            list = work
            return result
        } catch {
            if existed { list = work }
            throw error
        }
    }
}

/// List op codes (server `proto.h`).
enum ListOpCode: Int {
    case setType = 0, append, appendItems, insert, insertItems, pop, popRange, remove, removeRange,
         set, trim, clear, increment, sort
    case size = 16, get, getRange, getByIndex, getByValue, getByRank, getAllByValue, getAllByValueList,
         getByIndexRange, getByValueInterval, getByRankRange, getByValueRelRankRange
    case removeByIndex = 32, removeByValue, removeByRank, removeAllByValue, removeAllByValueList,
         removeByIndexRange, removeByValueInterval, removeByRankRange, removeByValueRelRankRange
}

/// The op's arguments with the server's parameter kinds: index = signed int, count / flags =
/// unsigned int (a negative int is taken as its two's-complement bits, like the server),
/// payload = any value, storage = value without wildcard / infinity.
struct ListArgs {
    enum Kind { case index, count, flags, payload, storage }

    let args: OpArgs
    init(_ args: OpArgs) { self.args = args }

    var count: Int { args.count }
    func has(_ i: Int) -> Bool { args.has(i) }

    /// Parameter layout of each op: kinds, and how many trailing ones are optional
    /// (server `cdt_op_table`). nil = the server does not check the arguments at all.
    static func layout(_ op: ListOpCode) -> (kinds: [Kind], optional: Int)? {
        switch op {
        case .setType: return ([.flags], 0)
        case .append, .appendItems: return ([.storage, .flags, .flags], 2)
        case .insert, .insertItems, .set: return ([.index, .storage, .flags], 1)
        case .pop, .remove, .get: return ([.index], 0)
        case .popRange, .removeRange, .getRange: return ([.index, .count], 1)
        case .trim: return ([.index, .count], 0)
        case .clear, .size: return nil
        case .increment: return ([.index, .payload, .flags, .flags], 3)
        case .sort: return ([.flags], 1)
        case .getByIndex, .getByRank, .removeByIndex, .removeByRank: return ([.flags, .index], 0)
        case .getByValue, .getAllByValue, .getAllByValueList,
             .removeByValue, .removeAllByValue, .removeAllByValueList: return ([.flags, .payload], 0)
        case .getByIndexRange, .getByRankRange, .removeByIndexRange, .removeByRankRange:
            return ([.flags, .index, .count], 1)
        case .getByValueInterval, .removeByValueInterval: return ([.flags, .payload, .payload], 1)
        case .getByValueRelRankRange, .removeByValueRelRankRange: return ([.flags, .payload, .index, .count], 1)
        }
    }

    /// Wrong argument count or kind → 4 PARAMETER.
    func check(_ op: ListOpCode) throws(CDTError) {
        guard let lay = ListArgs.layout(op) else { return }
        let kinds = lay.kinds, optional = lay.optional
        guard count >= kinds.count - optional, count <= kinds.count else { throw .parameter }
        for i in 0..<count {
            switch kinds[i] {
            case .index, .count, .flags: _ = try rawInt(i)
            case .payload: _ = try args.value(i)
            case .storage: _ = try args.storable(i)
            }
        }
    }

    /// Any msgpack integer as its 64-bit pattern.
    private func rawInt(_ i: Int) throws(CDTError) -> Int64 {
        guard i < args.count else { throw .parameter }
        let h = try args.values[i].withReader { r throws(CDTError) in try r.next() }
        guard h.kind == .int || h.kind == .negInt else { throw .parameter }
        return h.int
    }

    func index(_ i: Int) throws(CDTError) -> Int64 { try rawInt(i) }
    func uint(_ i: Int, default d: UInt64) throws(CDTError) -> UInt64 {
        has(i) ? UInt64(bitPattern: try rawInt(i)) : d
    }
    /// Counts default to "through the end" (the server uses UINT32_MAX).
    func count(_ i: Int) throws(CDTError) -> UInt64 { try uint(i, default: UInt64(UInt32.max)) }
    func flags(_ i: Int) throws(CDTError) -> UInt64 { try uint(i, default: 0) }
    func value(_ i: Int) throws(CDTError) -> [UInt8] { try args.value(i) }
    func storable(_ i: Int) throws(CDTError) -> [UInt8] { try args.storable(i) }
    func returnType(_ i: Int, multi: Bool) throws(CDTError) -> ListRT {
        try ListRT(raw: try rawInt(i), multi: multi)
    }

    /// The elements of a list argument, as the server reads a value list: no marker handling.
    func rawList(_ i: Int) throws(CDTError) -> [[UInt8]] {
        let v = try args.value(i)
        return try v.withReader { r throws(CDTError) -> [[UInt8]] in
            let h = try r.next()
            guard h.kind == .list else { throw .parameter }
            var out: [[UInt8]] = []
            out.reserveCapacity(h.children)
            for _ in 0..<h.children { out.append(Array(try r.element())) }
            return out
        }
    }

    /// Items to store (APPEND_ITEMS, INSERT_ITEMS): a list, an ordered marker skipped.
    func storableList(_ i: Int) throws(CDTError) -> [[UInt8]] {
        _ = try args.storable(i)
        return try args.list(i)
    }

    /// Order attributes for a list the op creates: APPEND / APPEND_ITEMS carry them in arg 1,
    /// INCREMENT in arg 2; invalid attributes silently create an unordered list.
    func createFlags(_ op: ListOpCode) throws(CDTError) -> UInt8 {
        let at: Int
        switch op {
        case .append, .appendItems: at = 1
        case .increment: at = 2
        default: return 0
        }
        let f = UInt8(truncatingIfNeeded: try flags(at))
        return f & ~ListFlags.validAttributes == 0 ? f : 0
    }
}

enum ListFlags {
    static let validAttributes: UInt8 = CollectionFlags.ordered | CollectionFlags.persistIndex
    // write flags
    static let addUnique: UInt64 = 0x01
    static let insertBounded: UInt64 = 0x02
    static let noFail: UInt64 = 0x04
    static let doPartial: UInt64 = 0x08
    // sort flags
    static let descending: UInt64 = 0x01
    static let dropDuplicates: UInt64 = 0x02

    static func isUnique(_ f: UInt64) -> Bool { f & addUnique != 0 }
    static func isBounded(_ f: UInt64) -> Bool { f & insertBounded != 0 }
    static func isNoFail(_ f: UInt64) -> Bool { f & noFail != 0 }
    /// DO_PARTIAL counts only together with NO_FAIL.
    static func isDoPartial(_ f: UInt64) -> Bool { f & (noFail | doPartial) == (noFail | doPartial) }
    /// "Value already there": 24, or a silent no-op with NO_FAIL.
    static func exists(_ f: UInt64) throws(CDTError) {
        if !isNoFail(f) { throw .elementExists }
    }
}
