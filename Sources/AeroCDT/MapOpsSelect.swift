/// Selection for the GET_BY_* / REMOVE_BY_* map ops: which entries an op picks and the result
/// it answers, following asd 8.1.2's `packed_map_get_remove_*` paths, including where result
/// orders differ (rank order for rank ranges, key order for key/index/value selections).
///
/// Positions are indexes into `entries`, which are in key order; so a position is also the
/// entry's map index. Rank = position in (value, key) order.

enum MapRemoval: Equatable {
    case none, all
    case range(Range<Int>)
    /// Ascending positions.
    case positions([Int])
}

struct MapOutcome {
    var result: [UInt8]?
    var removal: MapRemoval
}

struct MapSelection {
    typealias R = MapResult
    let entries: [CDTMap.Entry]
    let flags: UInt8
    let type: Int
    let inverted: Bool
    let multi: Bool

    init(_ map: CDTMap, rt: ReturnType, multi: Bool) {
        entries = map.entries
        flags = map.flags
        type = rt.type
        inverted = rt.inverted
        self.multi = multi
    }

    var n: Int { entries.count }
    /// The server's "k-ordered" test: any flag at all.
    var kOrdered: Bool { flags != 0 }
    /// KV-ordered with a persisted value index: value selections answer in rank order there.
    var persistKV: Bool {
        flags & (CollectionFlags.persistIndex | 0x02) == (CollectionFlags.persistIndex | 0x02) && n > 1
    }

    // MARK: searching

    static func cmp(_ a: [UInt8], _ b: [UInt8]) -> Int { ValueOrder.compare(a, b) }

    /// First position whose key is >= `k` (= number of keys below `k`).
    func keyLowerBound(_ k: [UInt8]) -> Int {
        var lo = 0, hi = n
        while lo < hi {
            let mid = (lo + hi) / 2
            if Self.cmp(entries[mid].key, k) < 0 { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
    /// First position whose key is > `k`.
    func keyUpperBound(_ k: [UInt8]) -> Int {
        var lo = 0, hi = n
        while lo < hi {
            let mid = (lo + hi) / 2
            if Self.cmp(entries[mid].key, k) <= 0 { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// A value's kind and, for plain integers and doubles, its number: most comparisons in a
    /// sort settle on these without walking the msgpack again.
    struct SortKey {
        var kind: MPKind
        var number = 0.0
        var int: Int64 = 0
        var isInt = false, isDouble = false

        init(_ v: [UInt8]) {
            guard let h = try? v.withReader({ r throws(CDTError) in try r.header() }) else { kind = .nil_; return }
            kind = h.kind
            switch h.kind {
            case .int, .negInt: isInt = !h.bigUnsigned; int = h.int
            case .double: isDouble = true; number = h.double
            default: break
            }
        }
        static func compare(_ a: SortKey, _ ab: [UInt8], _ b: SortKey, _ bb: [UInt8]) -> Int {
            if a.kind == .wildcard || b.kind == .wildcard { return ValueOrder.compare(ab, bb) }
            if a.kind != b.kind { return a.kind < b.kind ? -1 : 1 }
            if a.isInt && b.isInt { return a.int == b.int ? 0 : (a.int < b.int ? -1 : 1) }
            if a.isDouble && b.isDouble { return a.number == b.number ? 0 : (a.number < b.number ? -1 : 1) }
            return ValueOrder.compare(ab, bb)
        }
    }

    /// Positions in rank order: by value, ties in key order.
    func rankOrder() -> [Int] {
        let e = entries
        let keys = e.map { SortKey($0.value) }
        if keys.allSatisfy(\.isInt) {
            // All plain integers (the common case): sort (value, position) pairs directly.
            var pairs = [(Int64, Int)]()
            pairs.reserveCapacity(n)
            for (i, k) in keys.enumerated() { pairs.append((k.int, i)) }
            pairs.sort { $0 < $1 }
            return pairs.map(\.1)
        }
        var items = [(key: SortKey, pos: Int)]()
        items.reserveCapacity(n)
        for (i, k) in keys.enumerated() { items.append((k, i)) }
        items.sort { a, b in
            let c = SortKey.compare(a.key, e[a.pos].value, b.key, e[b.pos].value)
            return c != 0 ? c < 0 : a.pos < b.pos
        }
        return items.map(\.pos)
    }
    /// rank of each position.
    func rankTable(_ order: [Int]) -> [Int] {
        var t = [Int](repeating: 0, count: n)
        for (r, p) in order.enumerated() { t[p] = r }
        return t
    }
    /// Rank of one position, in one pass.
    func rankOf(_ p: Int) -> Int {
        var r = 0
        let v = entries[p].value
        for i in 0..<n {
            let c = Self.cmp(entries[i].value, v)
            if c < 0 || (c == 0 && i < p) { r += 1 }
        }
        return r
    }
    /// Number of values strictly below `v`.
    func valuesBelow(_ v: [UInt8]) -> Int {
        let vk = SortKey(v)
        var r = 0
        for e in entries where SortKey.compare(SortKey(e.value), e.value, vk, v) < 0 { r += 1 }
        return r
    }
    func complement(_ sortedPositions: [Int]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(n - sortedPositions.count)
        var j = 0
        for i in 0..<n {
            if j < sortedPositions.count && sortedPositions[j] == i { j += 1 } else { out.append(i) }
        }
        return out
    }
    func removal(_ sortedPositions: [Int]) -> MapRemoval {
        if sortedPositions.isEmpty { return .none }
        if sortedPositions.count == n { return .all }
        return .positions(sortedPositions)
    }

    // MARK: index arithmetic (cdt.c calc_index_count, calc_rel_index_count)

    static func calcMulti(_ index: Int64, _ count: UInt64, _ n: Int) -> (Int, Int) {
        let n64 = Int64(n)
        if index >= n64 { return (n, 0) }
        let idx = index < 0 ? n64 + index : index
        if idx < 0 {
            let back = idx.magnitude
            return (0, back < count ? Int(min(count - back, UInt64(n))) : 0)
        }
        let left = UInt64(n64 - idx)
        return (Int(idx), count >= left ? Int(left) : Int(count))
    }
    static func calcSingle(_ index: Int64, _ n: Int) -> Int? {
        let n64 = Int64(n)
        if index >= n64 { return nil }
        let idx = index < 0 ? n64 + index : index
        return idx < 0 ? nil : Int(idx)
    }
    static func calcRel(_ index: Int64, _ count: UInt64, _ rel: Int) -> (Int64, UInt64) {
        var i = index &+ Int64(rel)
        var c = count
        if i < 0 {
            let back = i.magnitude
            c = c > back ? c - back : 0
            i = 0
        }
        return (i, c)
    }

    /// Inverted range selections with a window touching an end become plain selections of
    /// the other part (as the server does before choosing result orders).
    func reduceInverted(_ s: inout Int, _ c: inout Int) throws(CDTError) -> Bool {
        guard inverted else { return false }
        if !multi { throw .opNotApplicable }
        if c == 0 {
            s = 0; c = n
        } else if s == 0 {
            s = c; c = n - c
        } else if s + c >= n {
            c = s; s = 0
        } else {
            return true
        }
        return false
    }

    // MARK: families

    /// Start and count of an index or rank selection: a clipped range for multi-item ops,
    /// exactly one position (out of range → 26) for single-item ops.
    func window(_ start: Int64, _ count: UInt64) throws(CDTError) -> (Int, Int) {
        if multi { return Self.calcMulti(start, count, n) }
        guard let i = Self.calcSingle(start, n) else { throw .opNotApplicable }
        return (i, 1)
    }

    /// GET/REMOVE_BY_INDEX (single), BY_INDEX_RANGE; key selections of ordered maps land here.
    func byIndexRange(_ index: Int64, _ count: UInt64) throws(CDTError) -> MapOutcome {
        var (s, c) = try window(index, count)
        if R.isRankRange(type) { throw .opNotApplicable }
        let inv = try reduceInverted(&s, &c)
        if c == 0 { return MapOutcome(result: try R.keyNotFound(type, multi: multi, at: s), removal: .none) }
        if c == n && !inv { return MapOutcome(result: try R.all(entries, type, multi: multi), removal: .all) }
        let sel = inv ? Array(0..<s) + Array((s + c)..<n) : Array(s..<(s + c))
        let rm: MapRemoval = inv ? .positions(sel) : .range(s..<(s + c))
        let result: [UInt8]?
        if R.isElements(type) {
            result = R.elements(entries, sel, type: type, multi: multi)
        } else if R.isRank(type) {
            let rev = type == R.reverseRank
            if !multi {
                let r = rankOf(s)
                result = R.int(rev ? n - r - 1 : r)
            } else {
                let table = rankTable(rankOrder())
                result = R.ints(R.perElement(sel.map { table[$0] }, n: n, rev: rev))
            }
        } else {
            result = try R.range(type, multi: multi, inverted: inv, start: s, count: c, n: n)
        }
        return MapOutcome(result: result, removal: rm)
    }

    /// GET/REMOVE_BY_KEY (`exact`, single) and BY_KEY_INTERVAL `[start, end)` (end nil: to
    /// the end).
    func byKeyInterval(_ start: [UInt8], end: [UInt8]?, exact: Bool) throws(CDTError) -> MapOutcome {
        if R.isRankRange(type) { throw .opNotApplicable }
        let lo = keyLowerBound(start)
        var c: Int
        if exact {
            c = lo < n && Self.cmp(entries[lo].key, start) == 0 ? 1 : 0
        } else if let end {
            c = max(0, keyLowerBound(end) - lo)
        } else {
            c = n - lo
        }
        if kOrdered {
            if c == 0 && !multi {
                return MapOutcome(result: try R.keyNotFound(type, multi: false, at: -1), removal: .none)
            }
            return try byIndexRange(Int64(lo), UInt64(c))
        }
        if inverted && !multi { throw .opNotApplicable }
        if !multi {
            if c == 0 { return MapOutcome(result: try R.keyNotFound(type, multi: false, at: -1), removal: .none) }
            let result: [UInt8]?
            switch type {
            case R.none: result = nil
            case R.index: result = R.int(lo)
            case R.reverseIndex: result = R.int(n - lo - 1)
            case R.indexRange: result = R.ints([lo, 1])
            case R.reverseIndexRange: result = R.ints([n - lo - 1, 1])
            case R.rank, R.reverseRank:
                let r = rankOf(lo)
                result = R.int(type == R.reverseRank ? n - r - 1 : r)
            case R.count: result = R.int(1)
            case R.exists: result = MP.bool(true)
            case _ where R.isElements(type): result = R.elements(entries, [lo], type: type, multi: false)
            default: throw .opNotApplicable
            }
            return MapOutcome(result: result, removal: .range(lo..<(lo + 1)))
        }
        let window = Array(lo..<(lo + c))
        let sel = inverted ? complement(window) : window
        let result: [UInt8]?
        if R.isElements(type) {
            result = R.elements(entries, sel, type: type, multi: true)
        } else if R.isRank(type) {
            let table = rankTable(rankOrder())
            result = R.ints(R.perElement(sel.map { table[$0] }, n: n, rev: type == R.reverseRank))
        } else {
            result = try R.range(type, multi: true, inverted: inverted, start: lo, count: c, n: n)
        }
        return MapOutcome(result: result, removal: removal(sel))
    }

    /// GET/REMOVE_BY_RANK (single), BY_RANK_RANGE, and VALUE_REL_RANK_RANGE once resolved.
    func byRankRange(_ rank: Int64, _ count: UInt64) throws(CDTError) -> MapOutcome {
        var (s, c) = try window(rank, count)
        if R.isIndexRange(type) { throw .opNotApplicable }
        let inv = try reduceInverted(&s, &c)
        if c == 0 { return MapOutcome(result: try R.valueNotFound(type, multi: multi, at: s), removal: .none) }
        let order = rankOrder()
        let chosen = Array(order[s..<(s + c)])
        let chosenSorted = chosen.sorted()
        let sel = inv ? complement(chosenSorted) : chosenSorted
        let result: [UInt8]?
        switch type {
        case R.none, R.count, R.exists, R.rank, R.reverseRank:
            result = try R.indexRankCount(type, multi: multi, inverted: inv, start: s, count: c, n: n)
        case R.index, R.reverseIndex:
            let rev = type == R.reverseIndex
            if !multi {
                result = R.int(rev ? n - chosen[0] - 1 : chosen[0])
            } else {
                result = R.ints(R.perElement(inv ? sel : chosen, n: n, rev: rev))
            }
        case R.rankRange, R.reverseRankRange:
            result = try R.range(type, multi: multi, inverted: inv, start: s, count: c, n: n)
        case _ where R.isElements(type):
            let byMask = inv || type == R.orderedMap
            result = R.elements(entries, byMask ? sel : chosen, type: type, multi: multi)
        default:
            throw .opNotApplicable
        }
        return MapOutcome(result: result, removal: removal(sel))
    }

    /// GET/REMOVE_BY_VALUE (`exact`, single), ALL_BY_VALUE (`exact`, multi) and
    /// BY_VALUE_INTERVAL `[start, end)` (end nil: to the largest value).
    func byValueInterval(_ start: [UInt8], end: [UInt8]?, exact: Bool) throws(CDTError) -> MapOutcome {
        if R.isIndexRange(type) { throw .opNotApplicable }
        if inverted && !multi { throw .opNotApplicable }
        if n == 0 { return MapOutcome(result: try R.valueNotFound(type, multi: multi, at: -1), removal: .none) }
        var matches: [Int] = []
        var rank = 0
        let sk = SortKey(start), ek = end.map(SortKey.init)
        for (i, e) in entries.enumerated() {
            let vk = SortKey(e.value)
            let c = SortKey.compare(vk, e.value, sk, start)
            if c < 0 { rank += 1; continue }
            if exact {
                if c == 0 && (multi || matches.isEmpty) { matches.append(i) }
            } else if let end, let ek {
                if SortKey.compare(vk, e.value, ek, end) < 0 { matches.append(i) }
            } else {
                matches.append(i)
            }
        }
        let c = matches.count
        if persistKV {
            let e = entries
            let chosen = matches.sorted { a, b in
                let x = Self.cmp(e[a].value, e[b].value)
                return x != 0 ? x < 0 : a < b
            }
            let sel = inverted ? complement(matches) : matches
            let result = try valueSelectionResult(elementOrder: inverted || type == R.orderedMap ? sel : chosen,
                                                  indexOrder: inverted ? sel : chosen, rank: rank, count: c)
            return MapOutcome(result: result, removal: removal(sel))
        }
        if c == 0 {
            if inverted { return MapOutcome(result: try R.all(entries, type, multi: multi), removal: .all) }
            return MapOutcome(result: try R.valueNotFound(type, multi: multi, at: rank), removal: .none)
        }
        let sel = inverted ? complement(matches) : matches
        let result = try valueSelectionResult(elementOrder: sel, indexOrder: sel, rank: rank, count: c)
        return MapOutcome(result: result, removal: removal(sel))
    }

    /// The result of a by-value selection: elements listed in `elementOrder`, positions in
    /// `indexOrder` (a persisted KV-ordered map lists them in value order, others in key order);
    /// rank results from the first matching rank and the match count.
    private func valueSelectionResult(elementOrder: [Int], indexOrder: [Int], rank: Int, count c: Int) throws(CDTError) -> [UInt8]? {
        if R.isElements(type) { return R.elements(entries, elementOrder, type: type, multi: multi) }
        if R.isIndex(type) {
            guard let first = indexOrder.first else { return try R.notFound(type, multi: multi, at: -1) }
            if !multi { return R.int(type == R.reverseIndex ? n - first - 1 : first) }
            return R.ints(R.perElement(indexOrder, n: n, rev: type == R.reverseIndex))
        }
        return try R.range(type, multi: multi, inverted: inverted, start: rank, count: c, n: n)
    }

    /// The last occurrence of each distinct item (list order kept), for the per-item results
    /// of unordered maps, where the server credits a repeated item once.
    static func lastOccurrences(_ items: [[UInt8]]) -> [Int] {
        let order = Array(0..<items.count).sorted { a, b in
            let c = cmp(items[a], items[b])
            return c != 0 ? c < 0 : a < b
        }
        var keep = [Bool](repeating: false, count: items.count)
        for (j, i) in order.enumerated() {
            if j + 1 == order.count || cmp(items[i], items[order[j + 1]]) != 0 { keep[i] = true }
        }
        return (0..<items.count).filter { keep[$0] }
    }
    /// Distinct items in value order.
    static func distinctSorted(_ items: [[UInt8]]) -> [[UInt8]] {
        let s = stableSorted(items) { cmp($0, $1) < 0 }
        var out: [[UInt8]] = []
        for x in s where out.last.map({ cmp($0, x) != 0 }) ?? true { out.append(x) }
        return out
    }

    /// GET/REMOVE_BY_KEY_LIST.
    func byKeyList(_ items: [[UInt8]]) throws(CDTError) -> MapOutcome {
        if items.isEmpty {
            if R.isRank(type) || R.isIndexRange(type) || R.isRankRange(type) { throw .opNotApplicable }
            if !inverted { return MapOutcome(result: try? R.keyNotFound(type, multi: true, at: 0), removal: .none) }
            return MapOutcome(result: try R.all(entries, type, multi: true), removal: .all)
        }
        let ranges = items.map { (keyLowerBound($0), keyUpperBound($0)) }
        var mark = [Bool](repeating: false, count: n)
        for (lo, hi) in ranges where lo < hi { for p in lo..<hi { mark[p] = true } }
        let sel = (0..<n).filter { mark[$0] != inverted }
        let rev = type == R.reverseIndex
        let result: [UInt8]?
        switch type {
        case R.none: result = nil
        case R.index, R.reverseIndex:
            var out: [Int] = []
            if inverted && kOrdered {
                out = R.perElement(sel, n: n, rev: rev)
            } else if kOrdered {
                for (lo, hi) in ranges { R.addRange(&out, lo, hi - lo, n: n, rev: rev) }
            } else {
                itemListRuns(items, ranges, rev: rev, lower: { keyLowerBound($0) }, upper: { keyUpperBound($0) }, into: &out)
            }
            result = R.ints(out)
        case R.count: result = R.int(sel.count)
        case R.exists: result = MP.bool(!sel.isEmpty)
        case _ where R.isElements(type): result = R.elements(entries, sel, type: type, multi: true)
        default: throw .opNotApplicable
        }
        return MapOutcome(result: result, removal: removal(sel))
    }

    /// Positions an item list selects outside the ordered path, as the server builds them:
    /// each item's window once (its last occurrence in the list), or, inverted, the gaps
    /// between the distinct items' windows.
    func itemListRuns(_ items: [[UInt8]], _ windows: [(Int, Int)], rev: Bool,
                      lower: ([UInt8]) -> Int, upper: ([UInt8]) -> Int, into out: inout [Int]) {
        if !inverted {
            for i in Self.lastOccurrences(items) {
                let (lo, hi) = windows[i]
                if lo < hi { for p in lo..<hi { R.addRange(&out, p, 1, n: n, rev: rev) } }
            }
        } else {
            var prev = 0
            for v in Self.distinctSorted(items) {
                let lo = lower(v), hi = upper(v)
                if hi <= lo { continue }
                R.addRange(&out, prev, lo - prev, n: n, rev: rev)
                prev = hi
            }
            R.addRange(&out, prev, n - prev, n: n, rev: rev)
        }
    }

    /// GET/REMOVE_BY_VALUE_LIST.
    func byValueList(_ items: [[UInt8]]) throws(CDTError) -> MapOutcome {
        if items.isEmpty {
            if R.isIndexRange(type) || R.isRankRange(type) { throw .opNotApplicable }
            if !inverted { return MapOutcome(result: try? R.notFound(type, multi: true, at: 0), removal: .none) }
            return MapOutcome(result: try R.all(entries, type, multi: true), removal: .all)
        }
        let order = rankOrder()
        let values = order.map { entries[$0].value }
        func lower(_ v: [UInt8]) -> Int {
            var lo = 0, hi = values.count
            while lo < hi { let m = (lo + hi) / 2; if Self.cmp(values[m], v) < 0 { lo = m + 1 } else { hi = m } }
            return lo
        }
        func upper(_ v: [UInt8]) -> Int {
            var lo = 0, hi = values.count
            while lo < hi { let m = (lo + hi) / 2; if Self.cmp(values[m], v) <= 0 { lo = m + 1 } else { hi = m } }
            return lo
        }
        // Per item: its rank window in rank order.
        let windows = items.map { (lower($0), upper($0)) }
        var mark = [Bool](repeating: false, count: n)
        for (lo, hi) in windows where lo < hi { for r in lo..<hi { mark[order[r]] = true } }
        let sel = (0..<n).filter { mark[$0] != inverted }
        let orderedPath = persistKV || n <= 1
        let result: [UInt8]?
        switch type {
        case R.none: result = nil
        case R.index, R.reverseIndex:
            let rev = type == R.reverseIndex
            if orderedPath && !inverted {
                var out: [Int] = []
                for (lo, hi) in windows where lo < hi { for r in lo..<hi { R.addRange(&out, order[r], 1, n: n, rev: rev) } }
                result = R.ints(out)
            } else {
                result = R.ints(R.perElement(sel, n: n, rev: rev))
            }
        case R.rank, R.reverseRank:
            let rev = type == R.reverseRank
            var out: [Int] = []
            if orderedPath && inverted {
                let table = rankTable(order)
                out = R.perElement(sel.map { table[$0] }, n: n, rev: rev)
            } else if orderedPath {
                for (lo, hi) in windows { R.addRange(&out, lo, hi - lo, n: n, rev: rev) }
            } else {
                itemListRuns(items, windows, rev: rev, lower: lower, upper: upper, into: &out)
            }
            result = R.ints(out)
        case R.count: result = R.int(sel.count)
        case R.exists: result = MP.bool(!sel.isEmpty)
        case _ where R.isElements(type): result = R.elements(entries, sel, type: type, multi: true)
        default: throw .opNotApplicable
        }
        return MapOutcome(result: result, removal: removal(sel))
    }

    /// BY_KEY_REL_INDEX_RANGE: from the first key >= `key`, `index` further.
    func byKeyRelIndexRange(_ key: [UInt8], _ index: Int64, _ count: UInt64) throws(CDTError) -> MapOutcome {
        let (i, c) = Self.calcRel(index, count, keyLowerBound(key))
        return try byIndexRange(i, c)
    }

    /// BY_VALUE_REL_RANK_RANGE: from the rank `value` would take, `rank` further.
    func byValueRelRankRange(_ value: [UInt8], _ rank: Int64, _ count: UInt64) throws(CDTError) -> MapOutcome {
        let (r, c) = Self.calcRel(rank, count, valuesBelow(value))
        return try byRankRange(r, c)
    }
}
