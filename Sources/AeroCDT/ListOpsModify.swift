/// Modify ops (codes 0-13, 32-40) on a list that exists (a missing one was created empty by
/// the caller, with the op's order attributes).
///
/// Rule for every op here and in ListWrite / ListSelect: check and compute everything first,
/// change the list last; nothing may throw after the first change (ListOps.apply relies on it).

enum ListModify {
    static func apply(_ op: ListOpCode, _ a: ListArgs, _ l: inout CDTList) throws(CDTError) -> [UInt8]? {
        switch op {
        case .setType:
            try setType(&l, try a.flags(0))
            return nil
        case .append:
            return try ListWrite.append(&l, try StoredForm.rewrite(try a.storable(0)), flags: try a.flags(2))
        case .appendItems:
            return try ListWrite.appendItems(&l, try a.storableList(0).map { (v: [UInt8]) throws(CDTError) -> [UInt8] in try StoredForm.rewrite(v) }, flags: try a.flags(2))
        case .insert:
            let v = try StoredForm.rewrite(try a.storable(1))
            if l.isOrdered { throw .opNotApplicable }
            return try ListWrite.insert(&l, at: try a.index(0), [v], isList: false, flags: try a.flags(2))
        case .insertItems:
            let v = try a.storableList(1).map { (v: [UInt8]) throws(CDTError) -> [UInt8] in try StoredForm.rewrite(v) }
            if l.isOrdered { throw .opNotApplicable }
            return try ListWrite.insert(&l, at: try a.index(0), v, isList: true, flags: try a.flags(2))
        case .set:
            let v = try StoredForm.rewrite(try a.storable(1))
            if l.isOrdered { throw .opNotApplicable }
            try ListWrite.set(&l, at: try a.index(0), v, flags: try a.flags(2))
            return nil
        case .increment:
            let delta: [UInt8]? = a.has(1) ? try a.value(1) : nil
            return try ListWrite.increment(&l, at: try a.index(0), delta: delta, flags: try a.flags(3))
        case .sort:
            try sort(&l, try a.flags(0))
            return nil
        case .clear:
            l.items = []
            return nil
        case .pop:
            return try ListSelect.byIndexRange(&l, modify: true, index: try a.index(0), count: 1,
                                               rt: ListRT(ListRT.value, multi: false))
        case .remove:
            return try ListSelect.byIndexRange(&l, modify: true, index: try a.index(0), count: 1,
                                               rt: ListRT(ListRT.count, multi: false))
        case .popRange:
            return try ListSelect.byIndexRange(&l, modify: true, index: try a.index(0), count: try a.count(1),
                                               rt: ListRT(ListRT.value, multi: true))
        case .removeRange:
            return try ListSelect.byIndexRange(&l, modify: true, index: try a.index(0), count: try a.count(1),
                                               rt: ListRT(ListRT.count, multi: true))
        case .trim:
            // Removes everything outside [index, index+count); answers the number removed.
            return try ListSelect.byIndexRange(&l, modify: true, index: try a.index(0), count: try a.count(1),
                                               rt: ListRT(ListRT.count, multi: true, inverted: true))
        default:
            return try ListBy.apply(op, a, &l, modify: true)
        }
    }

    /// SET_TYPE: attributes other than ORDERED / PERSIST_INDEX → 26; becoming ordered sorts.
    static func setType(_ l: inout CDTList, _ raw: UInt64) throws(CDTError) {
        let f = UInt8(truncatingIfNeeded: raw)
        guard f & ~ListFlags.validAttributes == 0 else { throw .opNotApplicable }
        if f == l.flags { return }
        let reorder = f & CollectionFlags.ordered != 0 && !l.isOrdered
        l.flags = f
        if reorder && l.count > 1 { l.sortByValue() }
    }

    /// SORT: ascending or DESCENDING (ignored for an ordered list), DROP_DUPLICATES keeps the
    /// first of each run of equal values. Stable. Like the server, DESCENDING together with
    /// DROP_DUPLICATES fails with 4 as soon as two values differ (its duplicate scan expects
    /// ascending order).
    static func sort(_ l: inout CDTList, _ flags: UInt64) throws(CDTError) {
        guard l.count > 1 else { return }
        var order: [[UInt8]]
        if l.isOrdered {
            order = l.items
        } else {
            order = ListOrder.sortedPositions(l.items, descending: flags & ListFlags.descending != 0).map { l.items[$0] }
        }
        if flags & ListFlags.dropDuplicates != 0 {
            var out: [[UInt8]] = []
            out.reserveCapacity(order.count)
            for e in order {
                if let last = out.last {
                    let c = ListOrder.cmp(last, e)
                    if c == 0 { continue }
                    if c > 0 { throw .parameter }
                }
                out.append(e)
            }
            order = out
        }
        l.items = order
    }
}
