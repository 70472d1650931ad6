/// Read ops (codes 16-27) on an existing list.

enum ListRead {
    static func apply(_ op: ListOpCode, _ a: ListArgs, _ list: CDTList) throws(CDTError) -> [UInt8]? {
        var l = list  // never changed: the selections run with modify == false
        switch op {
        case .size:
            return ListResult.int(l.count)
        case .get:
            return try ListSelect.byIndexRange(&l, modify: false, index: try a.index(0), count: 1,
                                               rt: ListRT(ListRT.value, multi: false))
        case .getRange:
            return try ListSelect.byIndexRange(&l, modify: false, index: try a.index(0), count: try a.count(1),
                                               rt: ListRT(ListRT.value, multi: true))
        default:
            return try ListBy.apply(op, a, &l, modify: false)
        }
    }
}

/// The GET_BY_* / REMOVE_BY_* pairs: same arguments, same selection.
enum ListBy {
    static func apply(_ op: ListOpCode, _ a: ListArgs, _ l: inout CDTList, modify: Bool) throws(CDTError) -> [UInt8]? {
        switch op {
        case .getByIndex, .removeByIndex:
            return try ListSelect.byIndexRange(&l, modify: modify, index: try a.index(1), count: 1,
                                               rt: try a.returnType(0, multi: false))
        case .getByIndexRange, .removeByIndexRange:
            return try ListSelect.byIndexRange(&l, modify: modify, index: try a.index(1), count: try a.count(2),
                                               rt: try a.returnType(0, multi: true))
        case .getByValue, .removeByValue:
            return try ListSelect.byValue(&l, modify: modify, match: .single(try a.value(1)),
                                          rt: try a.returnType(0, multi: false))
        case .getAllByValue, .removeAllByValue:
            return try ListSelect.byValue(&l, modify: modify, match: .single(try a.value(1)),
                                          rt: try a.returnType(0, multi: true))
        case .getByValueInterval, .removeByValueInterval:
            let end: [UInt8]? = a.has(2) ? try a.value(2) : nil
            return try ListSelect.byValue(&l, modify: modify, match: .interval(try a.value(1), end),
                                          rt: try a.returnType(0, multi: true))
        case .getByRank, .removeByRank:
            return try ListSelect.byRankRange(&l, modify: modify, rank: try a.index(1), count: 1,
                                              rt: try a.returnType(0, multi: false))
        case .getByRankRange, .removeByRankRange:
            return try ListSelect.byRankRange(&l, modify: modify, rank: try a.index(1), count: try a.count(2),
                                              rt: try a.returnType(0, multi: true))
        case .getAllByValueList, .removeAllByValueList:
            return try ListSelect.byValueList(&l, modify: modify, values: try a.rawList(1),
                                              rt: try a.returnType(0, multi: true))
        case .getByValueRelRankRange, .removeByValueRelRankRange:
            return try ListSelect.byValueRelRankRange(&l, modify: modify, value: try a.value(1),
                                                      rank: try a.index(2), count: try a.count(3),
                                                      rt: try a.returnType(0, multi: true))
        default:
            throw .parameter
        }
    }
}
