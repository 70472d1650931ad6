/// Building map op results the way asd 8.1.2 does (cdt.md 5). Two int-list forms exist there
/// and both are kept: a *range* `[start, start+count)` with REVERSE_* maps the whole range to
/// `[n-start-count, n-start)` and still lists it ascending, while *per-element* lists map each
/// position `p` to `n-p-1`.
enum MapResult {
    static let none = 0, index = 1, reverseIndex = 2, rank = 3, reverseRank = 4, count = 5,
               key = 6, value = 7, keyValue = 8, indexRange = 9, reverseIndexRange = 10,
               rankRange = 11, reverseRankRange = 12, exists = 13, unorderedMap = 16, orderedMap = 17

    static func isElements(_ t: Int) -> Bool { t == key || t == value || t == keyValue || t == unorderedMap || t == orderedMap }
    static func isIndex(_ t: Int) -> Bool { t == index || t == reverseIndex }
    static func isRank(_ t: Int) -> Bool { t == rank || t == reverseRank }
    static func isIndexRange(_ t: Int) -> Bool { t == indexRange || t == reverseIndexRange }
    static func isRankRange(_ t: Int) -> Bool { t == rankRange || t == reverseRankRange }
    static func isReverse(_ t: Int) -> Bool { t == reverseIndex || t == reverseRank }

    static func ints(_ xs: [Int]) -> [UInt8] {
        var w = MPWriter(capacity: 3 + xs.count)
        w.appendArrayHeader(xs.count)
        for x in xs { w.appendInt(Int64(x)) }
        return w.bytes
    }
    static func int(_ x: Int) -> [UInt8] { MP.int(Int64(x)) }

    /// Range form (`cdt_container_builder_add_int_range`).
    static func addRange(_ out: inout [Int], _ start: Int, _ count: Int, n: Int, rev: Bool) {
        guard count > 0 else { return }
        let s = rev ? n - start - count : start
        out.append(contentsOf: s..<(s + count))
    }
    /// Per-element form.
    static func perElement(_ positions: [Int], n: Int, rev: Bool) -> [Int] {
        rev ? positions.map { n - $0 - 1 } : positions
    }

    /// KEY / VALUE / KEY_VALUE / UNORDERED_MAP / ORDERED_MAP from entries `idxs`, in that order
    /// (ORDERED_MAP always in key order). Single results: the element or nil; map types a map.
    static func elements(_ entries: [CDTMap.Entry], _ idxs: [Int], type t: Int, multi: Bool) -> [UInt8]? {
        if t == key || t == value {
            if !multi {
                guard let i = idxs.first else { return nil }
                return t == key ? entries[i].key : entries[i].value
            }
            var size = 5
            for i in idxs { size += t == key ? entries[i].key.count : entries[i].value.count }
            var w = MPWriter(capacity: size)
            w.appendArrayHeader(idxs.count)
            for i in idxs { w.appendRaw(t == key ? entries[i].key : entries[i].value) }
            return w.bytes
        }
        let flags: UInt8 = t == keyValue ? CollectionFlags.preserveOrder : t == orderedMap ? CollectionFlags.ordered : 0
        let order = t == orderedMap ? idxs.sorted() : idxs
        var size = 8
        for i in order { size += entries[i].key.count + entries[i].value.count }
        var w = MPWriter(capacity: size)
        if flags != 0 {
            w.appendMapHeader(order.count + 1)
            w.appendExtMarker(flags)
            w.appendNil()
        } else {
            w.appendMapHeader(order.count)
        }
        for i in order { w.appendRaw(entries[i].key); w.appendRaw(entries[i].value) }
        return w.bytes
    }

    /// Nothing selected (`result_data_set_not_found`).
    static func notFound(_ t: Int, multi: Bool, at idx: Int) throws(CDTError) -> [UInt8]? {
        switch t {
        case none: return nil
        case indexRange, reverseIndexRange, rankRange, reverseRankRange: return ints([idx, 0])
        case index, reverseIndex, rank, reverseRank: return multi ? ints([]) : int(-1)
        case count: return int(0)
        case exists: return MP.bool(false)
        case key, value: return multi ? ints([]) : nil
        case keyValue, unorderedMap, orderedMap: return elements([], [], type: t, multi: true)
        default: throw .opNotApplicable
        }
    }
    /// `result_data_set_key_not_found`: rank-range types are refused.
    static func keyNotFound(_ t: Int, multi: Bool, at idx: Int) throws(CDTError) -> [UInt8]? {
        if isRankRange(t) { throw .opNotApplicable }
        return try notFound(t, multi: multi, at: idx)
    }
    /// `result_data_set_value_not_found`: index-range types are refused.
    static func valueNotFound(_ t: Int, multi: Bool, at idx: Int) throws(CDTError) -> [UInt8]? {
        if isIndexRange(t) { throw .opNotApplicable }
        return try notFound(t, multi: multi, at: idx)
    }

    /// COUNT / EXISTS / INDEX / RANK of the positions `[start, start+count)` (or everything
    /// else when inverted), range form (`result_data_set_index_rank_count`).
    static func indexRankCount(_ t: Int, multi: Bool, inverted: Bool, start: Int, count c: Int, n: Int) throws(CDTError) -> [UInt8]? {
        switch t {
        case none: return nil
        case count: return int(inverted ? n - c : c)
        case exists: return MP.bool(inverted ? c == 0 : c != 0)
        case index, reverseIndex, rank, reverseRank:
            let rev = isReverse(t)
            if !multi {
                if c == 0 { return int(-1) }
                return int(rev ? n - start - 1 : start)
            }
            var out: [Int] = []
            if inverted {
                addRange(&out, 0, start, n: n, rev: rev)
                addRange(&out, start + c, n - start - c, n: n, rev: rev)
            } else {
                addRange(&out, start, c, n: n, rev: rev)
            }
            return ints(out)
        default: throw .opNotApplicable
        }
    }

    /// `result_data_set_range`: like `indexRankCount`, plus the `[start, count]` range types.
    static func range(_ t: Int, multi: Bool, inverted: Bool, start: Int, count c: Int, n: Int) throws(CDTError) -> [UInt8]? {
        switch t {
        case none: return nil
        case count, exists, index, reverseIndex, rank, reverseRank:
            return try indexRankCount(t, multi: multi, inverted: inverted, start: start, count: c, n: n)
        case indexRange, reverseIndexRange, rankRange, reverseRankRange:
            if inverted { throw .opNotApplicable }
            let s = (t == reverseIndexRange || t == reverseRankRange) ? n - start - c : start
            return ints([s, c])
        default: throw .opNotApplicable
        }
    }

    /// Everything selected (`packed_map_get_remove_all`).
    static func all(_ entries: [CDTMap.Entry], _ t: Int, multi: Bool) throws(CDTError) -> [UInt8]? {
        let n = entries.count
        switch t {
        case none: return nil
        case index, reverseIndex, rank, reverseRank: return multi ? ints(Array(0..<n)) : int(0)
        case count: return int(n)
        case exists: return MP.bool(n != 0)
        case key, value, keyValue, unorderedMap, orderedMap:
            return elements(entries, Array(0..<n), type: t, multi: multi)
        case indexRange, reverseIndexRange, rankRange, reverseRankRange: return ints([0, n])
        default: throw .opNotApplicable
        }
    }
}
