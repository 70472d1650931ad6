/// Adding and replacing elements: APPEND(_ITEMS), INSERT(_ITEMS), SET, INCREMENT, with the
/// write flags ADD_UNIQUE, INSERT_BOUNDED, NO_FAIL, DO_PARTIAL (cdt.md 3.1).

enum ListWrite {
    // MARK: append

    static func append(_ l: inout CDTList, _ v: [UInt8], flags: UInt64) throws(CDTError) -> [UInt8]? {
        guard l.isOrdered else { return try insert(&l, at: Int64(l.count), [v], isList: false, flags: flags) }
        if ListFlags.isUnique(flags) {
            let at = ListOrder.lowerBound(l.items, v)
            if at < l.count && ListOrder.cmp(l.items[at], v) == 0 {
                try ListFlags.exists(flags)
                return ListResult.int(l.count)
            }
        }
        l.items.insert(v, at: ListOrder.upperBound(l.items, v))
        return ListResult.int(l.count)
    }

    static func appendItems(_ l: inout CDTList, _ vals: [[UInt8]], flags: UInt64) throws(CDTError) -> [UInt8]? {
        guard l.isOrdered else { return try insert(&l, at: Int64(l.count), vals, isList: true, flags: flags) }
        return try addItemsOrdered(&l, vals, flags: flags)
    }

    /// Ordered list: each value goes to its sorted place (after equal elements; values given
    /// together keep their order). With ADD_UNIQUE, a value given twice → 26 (NO_FAIL: nothing
    /// is added; DO_PARTIAL: the first is kept), a value already present → 24 (NO_FAIL:
    /// nothing is added; DO_PARTIAL: it is skipped).
    private static func addItemsOrdered(_ l: inout CDTList, _ vals: [[UInt8]], flags: UInt64) throws(CDTError) -> [UInt8]? {
        let n = l.count
        if vals.isEmpty { return ListResult.int(n) }
        var take = ListOrder.sortedPositions(vals)
        let unique = ListFlags.isUnique(flags)
        if unique {
            var kept: [Int] = [take[0]]
            for k in 1..<take.count where ListOrder.cmp(vals[take[k - 1]], vals[take[k]]) != 0 {
                kept.append(take[k])
            }
            if kept.count != take.count {
                if !ListFlags.isNoFail(flags) { throw .opNotApplicable }
                if !ListFlags.isDoPartial(flags) { return ListResult.int(n) }
                take = kept
            }
        }
        var inserts: [(at: Int, value: [UInt8])] = []
        inserts.reserveCapacity(take.count)
        for p in take {
            let v = vals[p]
            let at = ListOrder.upperBound(l.items, v)
            if unique && at > 0 && ListOrder.cmp(l.items[at - 1], v) == 0 {
                if ListFlags.isDoPartial(flags) { continue }
                try ListFlags.exists(flags)
                return ListResult.int(n)
            }
            inserts.append((at, v))
        }
        var out: [[UInt8]] = []
        out.reserveCapacity(n + inserts.count)
        var next = 0
        for ins in inserts {
            if ins.at > next { out.append(contentsOf: l.items[next..<ins.at]); next = ins.at }
            out.append(ins.value)
        }
        out.append(contentsOf: l.items[next..<n])
        l.items = out
        return ListResult.int(l.count)
    }

    // MARK: insert

    /// Unordered list: inserts `vals` at `index` (negative from the end; beyond the end pads
    /// with nils unless INSERT_BOUNDED). Answers the new size (the old one for a no-op).
    @discardableResult
    static func insert(_ l: inout CDTList, at index: Int64, _ vals: [[UInt8]], isList: Bool,
                       flags: UInt64) throws(CDTError) -> [UInt8]? {
        let n = l.count
        if isList && vals.isEmpty { return ListResult.int(n) }
        let idx = index < 0 ? Int64(n) + index : index
        guard index <= Int64(Int32.max), idx >= 0 else { throw .opNotApplicable }
        let at = Int(idx)
        if ListFlags.isBounded(flags) && at > n {
            if ListFlags.isNoFail(flags) { return ListResult.int(n) }
            throw .opNotApplicable
        }
        var add = vals
        if ListFlags.isUnique(flags) {
            guard let kept = try uniqueItems(l.items, vals, isList: isList, flags: flags) else {
                return ListResult.int(n)
            }
            add = kept
        }
        if at > n {
            l.items.append(contentsOf: repeatElement(MP.nil_, count: at - n))
        }
        l.items.insert(contentsOf: add, at: at)
        return ListResult.int(l.count)
    }

    /// ADD_UNIQUE for an unordered list. nil = nothing to add (a no-op with NO_FAIL).
    /// A value already in the list → 24 (DO_PARTIAL: skip it); a value repeating an earlier
    /// one of the same op → 26 (NO_FAIL: no-op; DO_PARTIAL: skip it).
    private static func uniqueItems(_ items: [[UInt8]], _ vals: [[UInt8]], isList: Bool,
                                    flags: UInt64) throws(CDTError) -> [[UInt8]]? {
        if !isList {
            for e in items where ListOrder.cmp(e, vals[0]) == 0 {
                try ListFlags.exists(flags)
                return nil
            }
            return vals
        }
        // Which values repeat an earlier one: after a stable sort, all but the first of each run.
        let order = ListOrder.sortedPositions(vals)
        var repeats = [Bool](repeating: false, count: vals.count)
        for k in 1..<max(order.count, 1) where ListOrder.cmp(vals[order[k - 1]], vals[order[k]]) == 0 {
            repeats[order[k]] = true
        }
        let ranker = vals.count > 1 ? ListOrder.Ranker(items) : nil
        func present(_ v: [UInt8]) -> Bool {
            if let r = ranker {
                let p = r.rank(v)
                return p < r.sorted.count && ListOrder.cmp(r.sorted[p], v) == 0
            }
            return items.contains { ListOrder.cmp($0, v) == 0 }
        }
        var kept: [[UInt8]] = []
        for (i, v) in vals.enumerated() {
            if present(v) {
                if ListFlags.isDoPartial(flags) { continue }
                try ListFlags.exists(flags)
                return nil
            }
            if repeats[i] {
                if !ListFlags.isNoFail(flags) { throw .opNotApplicable }
                if !ListFlags.isDoPartial(flags) { return nil }
                continue
            }
            kept.append(v)
        }
        if kept.isEmpty {
            try ListFlags.exists(flags)
            return nil
        }
        return kept
    }

    // MARK: set

    /// Unordered list: replaces the element at `index`; at or beyond the end it inserts (nil
    /// padding unless INSERT_BOUNDED). ADD_UNIQUE: the value may only already be at `index`.
    static func set(_ l: inout CDTList, at index: Int64, _ v: [UInt8], flags: UInt64) throws(CDTError) {
        let n = l.count
        if index >= Int64(n) {
            try insert(&l, at: index, [v], isList: false, flags: flags)
            return
        }
        let idx = index < 0 ? Int64(n) + index : index
        guard idx >= 0 else { throw .opNotApplicable }
        let at = Int(idx)
        if ListFlags.isUnique(flags) {
            var equal = 0, first = -1
            for (i, e) in l.items.enumerated() where ListOrder.cmp(e, v) == 0 {
                if first < 0 { first = i }
                equal += 1
            }
            if equal > 0 && (first != at || equal > 1) {
                try ListFlags.exists(flags)
                return
            }
        }
        l.items[at] = v
    }

    // MARK: increment

    /// INCREMENT (cdt.md 3.1): int or double delta (nil / omitted = 1), converted to the
    /// element's type; a missing element (beyond the end) starts from 0; a non-numeric
    /// element or delta → 4. Answers the new value.
    static func increment(_ l: inout CDTList, at index: Int64, delta: [UInt8]?, flags: UInt64) throws(CDTError) -> [UInt8]? {
        let n = l.count
        let idx = index < 0 ? Int64(n) + index : index
        guard index <= Int64(Int32.max), idx >= 0 else { throw .opNotApplicable }
        let at = Int(idx)

        var incInt: Int64 = 1, incDouble = 1.0, deltaIsDouble = false
        if let d = delta {
            let h = try d.withReader { r throws(CDTError) in try r.header() }
            switch h.kind {
            case .int, .negInt: incInt = h.int
            case .double: incDouble = h.double; deltaIsDouble = true
            case .nil_: break
            default: throw .parameter
            }
        }

        let newValue: [UInt8]
        if at < n {
            let h = try l.items[at].withReader { r throws(CDTError) in try r.header() }
            switch h.kind {
            case .int, .negInt:
                newValue = MP.int(h.int &+ (deltaIsDouble ? truncated(incDouble) : incInt))
            case .double:
                newValue = MP.double(h.double + (deltaIsDouble ? incDouble : Double(incInt)))
            default:
                throw .parameter
            }
        } else {
            newValue = deltaIsDouble ? MP.double(incDouble) : MP.int(incInt)
        }

        if l.isOrdered {
            try replaceOrdered(&l, at: at, newValue, flags: flags)
        } else {
            try set(&l, at: Int64(at), newValue, flags: flags)
        }
        return newValue
    }

    /// C's double → int64 conversion as x86 does it (out of range → INT64_MIN).
    private static func truncated(_ d: Double) -> Int64 {
        guard d.isFinite, d > -9_223_372_036_854_775_809.0, d < 9_223_372_036_854_775_808.0 else { return Int64.min }
        return Int64(d)
    }

    /// Ordered list: the element at `index` (or none, at index == size) is replaced by `v`,
    /// which moves to its sorted place (before equal elements). Index beyond the size → 26.
    private static func replaceOrdered(_ l: inout CDTList, at index: Int, _ v: [UInt8], flags: UInt64) throws(CDTError) {
        let n = l.count
        let rank = ListOrder.lowerBound(l.items, v)
        guard index <= n else { throw .opNotApplicable }
        if ListFlags.isUnique(flags) && rank < n && ListOrder.cmp(l.items[rank], v) == 0 {
            if rank == index { return }
            try ListFlags.exists(flags)
            return
        }
        if index < n { l.items.remove(at: index) }
        l.items.insert(v, at: rank <= index ? rank : rank - 1)
    }
}
