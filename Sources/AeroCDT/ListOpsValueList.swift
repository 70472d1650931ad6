/// GET_ALL_BY_VALUE_LIST / REMOVE_ALL_BY_VALUE_LIST: every element equal to one of the values.

extension ListSelect {
    static func byValueList(_ l: inout CDTList, modify: Bool, values: [[UInt8]],
                            rt rtIn: ListRT) throws(CDTError) -> [UInt8]? {
        var rt = rtIn
        if values.isEmpty {
            if !rt.inverted { return ListResult.notFound(rt) }
            rt.inverted = false
            return try byIndexRange(&l, modify: modify, index: 0, count: UInt64(l.count), rt: rt)
        }
        return l.isOrdered ? orderedValueList(&l, modify: modify, values: values, rt: rt)
                           : unorderedValueList(&l, modify: modify, values: values, rt: rt)
    }

    /// Ordered list: one binary-searched window per value. Non-inverted INDEX/RANK/VALUE results
    /// follow the order of the values (a value given twice is reported twice); COUNT and
    /// removal count each element once.
    private static func orderedValueList(_ l: inout CDTList, modify: Bool, values: [[UInt8]],
                                         rt: ListRT) -> [UInt8]? {
        let items = l.items
        let n = items.count
        let windows = values.map { orderedWindow(items, .single($0), multi: true) }
        var mask = [Bool](repeating: false, count: n)
        for w in windows { for i in w.rank..<(w.rank + w.count) { mask[i] = true } }
        if rt.inverted { for i in 0..<n { mask[i].toggle() } }
        let hits = mask.reduce(0) { $0 + ($1 ? 1 : 0) }

        var result: [UInt8]?
        switch rt.type {
        case ListRT.none: result = nil
        case ListRT.count: result = ListResult.int(hits)
        case ListRT.exists: result = MP.bool(hits != 0)
        case ListRT.value:
            if rt.inverted {
                result = ListResult.maskedValues(items, mask: mask)
            } else {
                let total = windows.reduce(0) { $0 + $1.count }
                result = ListResult.values(windows.lazy.flatMap { items[$0.rank..<($0.rank + $0.count)] }, count: total)
            }
        default:  // INDEX / RANK: the same numbers in an ordered list
            if rt.inverted {
                result = ListResult.positions(rt, mask: mask)
            } else {
                var v: [Int] = []
                for w in windows { ListResult.appendRange(&v, w.rank, w.count, n: n, reverse: rt.isReverse) }
                result = ListResult.ints(v)
            }
        }
        if modify && hits > 0 { ListOrder.remove(&l.items, mask: mask) }
        return result
    }

    /// Unordered list: the values are sorted once and each element is looked up in them.
    /// RANK results list, per value in the given order, the ranks of its equal elements;
    /// INVERTED RANK lists the ranks not covered, ascending.
    private static func unorderedValueList(_ l: inout CDTList, modify: Bool, values: [[UInt8]],
                                           rt: ListRT) -> [UInt8]? {
        let items = l.items
        let n = items.count
        let m = values.count
        let sortedIdx = ListOrder.sortedPositions(values)
        let sortedValues = sortedIdx.map { values[$0] }
        var equal = [Int](repeating: 0, count: m)   // elements equal to value i (the last of equal values gets them)
        var below = [Int](repeating: 0, count: m)   // elements smaller than value i
        var mask = [Bool](repeating: false, count: n)
        var hits = 0
        for (i, e) in items.enumerated() {
            let p = ListOrder.upperBound(sortedValues, e)
            let found = p > 0 && ListOrder.cmp(sortedValues[p - 1], e) == 0
            if found { equal[sortedIdx[p - 1]] += 1 }
            if p < m { below[sortedIdx[p]] += 1 }
            if found != rt.inverted { mask[i] = true; hits += 1 }
        }
        for k in 1..<max(m, 1) { below[sortedIdx[k]] += below[sortedIdx[k - 1]] }

        var result: [UInt8]?
        switch rt.type {
        case ListRT.none: result = nil
        case ListRT.count: result = ListResult.int(hits)
        case ListRT.exists: result = MP.bool(hits != 0)
        case ListRT.value: result = ListResult.maskedValues(items, mask: mask)
        case ListRT.index, ListRT.reverseIndex: result = ListResult.positions(rt, mask: mask)
        default:  // RANK / REVERSE_RANK
            var v: [Int] = []
            if !rt.inverted {
                for i in 0..<m where equal[i] > 0 {
                    for j in 0..<equal[i] {
                        let r = below[i] + j
                        v.append(rt.isReverse ? n - r - 1 : r)
                    }
                }
            } else {
                var prev = 0
                for i in sortedIdx where equal[i] > 0 {
                    ListResult.appendRange(&v, prev, below[i] - prev, n: n, reverse: rt.isReverse)
                    prev = below[i] + equal[i]
                }
                ListResult.appendRange(&v, prev, n - prev, n: n, reverse: rt.isReverse)
            }
            result = ListResult.ints(v)
        }
        if modify && hits > 0 { ListOrder.remove(&l.items, mask: mask) }
        return result
    }
}
