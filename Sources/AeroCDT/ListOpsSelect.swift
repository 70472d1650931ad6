/// Selection by index, value, rank, value list and relative rank: the GET_BY_* reads and the
/// REMOVE_BY_* / POP / REMOVE / TRIM modifies share these (`modify` removes what is selected).
/// Results are computed on the list as it was before the removal.

enum ListSelect {
    /// What a by-value selection matches: one value (GET_BY_VALUE, GET_ALL_BY_VALUE) or the
    /// interval `[begin, end)` (end nil = up to +infinity).
    enum Match {
        case single([UInt8])
        case interval([UInt8], [UInt8]?)
    }

    // MARK: index range

    static func byIndexRange(_ l: inout CDTList, modify: Bool, index: Int64, count: UInt64,
                             rt rtIn: ListRT) throws(CDTError) -> [UInt8]? {
        var rt = rtIn
        let n = l.count
        guard let w = ListIndex.resolve(index, count, n: n, multi: rt.multi) else { throw .opNotApplicable }
        var start = w.start, cnt = w.count
        if rt.inverted {
            // The complement of one window is one window, unless it keeps a middle part.
            rt.inverted = false
            if cnt == 0 {
                start = 0; cnt = n
            } else if start == 0 {
                start = cnt; cnt = n - cnt
            } else if start + cnt >= n {
                cnt = start; start = 0
            } else {
                return trim(&l, modify: modify, keep: start, count: cnt, rt: rt)
            }
        }
        if cnt == 0 { return ListResult.notFound(rt) }

        let range = start..<(start + cnt)
        var result: [UInt8]?
        switch rt.type {
        case ListRT.none:
            result = nil
        case ListRT.index, ListRT.reverseIndex, ListRT.count, ListRT.exists:
            result = ListResult.window(rt, start: start, count: cnt, n: n)
        case ListRT.rank, ListRT.reverseRank:
            if cnt == n || l.isOrdered {
                result = ListResult.window(rt, start: cnt == n ? 0 : start, count: cnt, n: n)
            } else {
                result = ranks(l.items, range, rt: rt)
            }
        default:  // VALUE
            result = rt.multi ? ListResult.values(l.items[range], count: cnt) : l.items[start]
        }
        if modify { l.items.removeSubrange(range) }
        return result
    }

    /// Ranks (count of smaller elements) of an unordered list's elements in `range`, in index order.
    private static func ranks(_ items: [[UInt8]], _ range: Range<Int>, rt: ListRT) -> [UInt8] {
        let n = items.count
        func out(_ r: Int) -> Int { rt.isReverse ? n - r - 1 : r }
        if !rt.multi { return ListResult.int(out(ListOrder.lessCount(items, items[range.lowerBound]))) }
        var v: [Int] = []
        v.reserveCapacity(range.count)
        if range.count == 1 {
            v.append(out(ListOrder.lessCount(items, items[range.lowerBound])))
        } else {
            let r = ListOrder.Ranker(items)
            for i in range { v.append(out(r.rank(items[i]))) }
        }
        return ListResult.ints(v)
    }

    /// INVERTED index range keeping a middle window: removes the head and the tail
    /// (server `packed_list_trim`; also what TRIM does).
    private static func trim(_ l: inout CDTList, modify: Bool, keep start: Int, count: Int,
                             rt: ListRT) -> [UInt8]? {
        let n = l.count
        let end = start + count
        let removed = n - count
        var result: [UInt8]?
        switch rt.type {
        case ListRT.none:
            result = nil
        case ListRT.count:
            result = ListResult.int(removed)
        case ListRT.exists:
            result = MP.bool(removed != 0)
        case ListRT.index, ListRT.reverseIndex:
            var v: [Int] = []
            ListResult.appendRange(&v, 0, start, n: n, reverse: rt.isReverse)
            ListResult.appendRange(&v, end, n - end, n: n, reverse: rt.isReverse)
            result = ListResult.ints(v)
        case ListRT.rank, ListRT.reverseRank:
            var v: [Int] = []
            if l.isOrdered {
                ListResult.appendRange(&v, 0, start, n: n, reverse: rt.isReverse)
                ListResult.appendRange(&v, end, n - end, n: n, reverse: rt.isReverse)
            } else {
                let r = ListOrder.Ranker(l.items)
                for i in Array(0..<start) + Array(end..<n) {
                    let k = r.rank(l.items[i])
                    v.append(rt.isReverse ? n - k - 1 : k)
                }
            }
            result = ListResult.ints(v)
        default:  // VALUE
            result = ListResult.values(l.items[0..<start] + l.items[end..<n], count: removed)
        }
        if modify { l.items = Array(l.items[start..<end]) }
        return result
    }

    // MARK: value / value interval

    static func byValue(_ l: inout CDTList, modify: Bool, match: Match, rt: ListRT) throws(CDTError) -> [UInt8]? {
        if l.isOrdered {
            let (rank, cnt) = orderedWindow(l.items, match, multi: rt.multi)
            if cnt == 0 && !rt.multi { return ListResult.notFound(rt) }
            return try byIndexRange(&l, modify: modify, index: Int64(rank), count: UInt64(cnt), rt: rt)
        }

        let items = l.items
        let n = items.count
        let begin: [UInt8]
        switch match {
        case .single(let v): begin = v
        case .interval(let b, _): begin = b
        }
        // rank = elements below `begin`; mask = selected (or, INVERTED, not selected).
        var rank = 0, hits = 0, first = -1
        var mask = [Bool](repeating: false, count: n)
        func mark(_ i: Int) { mask[i] = true; hits += 1 }
        for i in 0..<n {
            let cb = ListOrder.cmp(items[i], begin)
            if cb < 0 {
                rank += 1
                if rt.inverted { mark(i) }
                continue
            }
            switch match {
            case .interval(_, let end):
                let below = end.map { ListOrder.cmp(items[i], $0) < 0 } ?? true
                if below != rt.inverted { mark(i) }
            case .single:
                if cb == 0 {
                    if rt.multi {
                        if !rt.inverted { mark(i) }
                    } else if hits == 0 {
                        first = i
                        mark(i)
                    }
                } else if rt.inverted {
                    mark(i)
                }
            }
        }

        var result: [UInt8]?
        switch rt.type {
        case ListRT.none, ListRT.count, ListRT.exists, ListRT.rank, ListRT.reverseRank:
            result = ListResult.window(rt, start: rank, count: rt.inverted ? n - hits : hits, n: n)
        case ListRT.index, ListRT.reverseIndex:
            result = rt.multi ? ListResult.positions(rt, mask: mask)
                              : ListResult.window(rt, start: first, count: hits, n: n)
        default:  // VALUE
            if rt.multi {
                result = ListResult.maskedValues(items, mask: mask)
            } else {
                result = hits > 0 ? items[first] : nil
            }
        }
        if modify && hits > 0 { ListOrder.remove(&l.items, mask: mask) }
        return result
    }

    /// Rank window of a value or interval in an ordered list (binary search).
    static func orderedWindow(_ items: [[UInt8]], _ match: Match, multi: Bool) -> (rank: Int, count: Int) {
        switch match {
        case .single(let v):
            let rank = ListOrder.lowerBound(items, v)
            guard rank < items.count, ListOrder.cmp(items[rank], v) == 0 else { return (rank, 0) }
            return (rank, multi ? ListOrder.upperBound(items, v, from: rank + 1) - rank : 1)
        case .interval(let b, let e):
            let rank = ListOrder.lowerBound(items, b)
            guard let e else { return (rank, items.count - rank) }
            if ListOrder.cmp(b, e) >= 0 { return (rank, 0) }
            return (rank, ListOrder.lowerBound(items, e, from: rank) - rank)
        }
    }

    // MARK: rank range

    static func byRankRange(_ l: inout CDTList, modify: Bool, rank: Int64, count: UInt64,
                            rt: ListRT) throws(CDTError) -> [UInt8]? {
        if l.isOrdered {
            return try byIndexRange(&l, modify: modify, index: rank, count: count, rt: rt)
        }
        let n = l.count
        guard let w = ListIndex.resolve(rank, count, n: n, multi: rt.multi) else { throw .opNotApplicable }
        let picked = ListOrder.rankWindow(l.items, start: w.start, count: w.count)
        let hits = rt.inverted ? n - w.count : w.count
        if hits == 0 { return ListResult.notFound(rt) }
        var mask = [Bool](repeating: rt.inverted, count: n)
        for p in picked { mask[p] = !rt.inverted }

        var result: [UInt8]?
        switch rt.type {
        case ListRT.none, ListRT.count, ListRT.exists, ListRT.rank, ListRT.reverseRank:
            result = ListResult.window(rt, start: w.start, count: w.count, n: n)
        case ListRT.index, ListRT.reverseIndex:
            result = ListResult.positions(rt, mask: mask)
        default:  // VALUE
            if rt.inverted {
                result = ListResult.maskedValues(l.items, mask: mask)
            } else if rt.multi {
                result = ListResult.values(picked.map { l.items[$0] }, count: picked.count)
            } else {
                result = l.items[picked[0]]
            }
        }
        if modify { ListOrder.remove(&l.items, mask: mask) }
        return result
    }

    // MARK: relative rank range

    static func byValueRelRankRange(_ l: inout CDTList, modify: Bool, value: [UInt8], rank: Int64,
                                    count: UInt64, rt: ListRT) throws(CDTError) -> [UInt8]? {
        let base = l.isOrdered ? ListOrder.lowerBound(l.items, value) : ListOrder.lessCount(l.items, value)
        let w = ListIndex.relative(rank, count, base: base)
        if l.isOrdered {
            return try byIndexRange(&l, modify: modify, index: w.index, count: w.count, rt: rt)
        }
        return try byRankRange(&l, modify: modify, rank: w.index, count: w.count, rt: rt)
    }
}
