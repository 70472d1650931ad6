/// Operations that an indexed (persisted) collection answers without parsing the whole
/// value: map SIZE, GET_BY_KEY, GET_BY_INDEX, GET_BY_INDEX_RANGE (the common return types),
/// and APPEND into an ordered list. Everything else takes the general path, which gives the
/// same results (checked by differential tests), only in O(N).
enum PersistedFast {
    /// nil = not handled here.
    static func run(code: Int, args: OpArgs, isList: Bool, bin b: UnsafeRawBufferPointer) throws(CDTError) -> CDTExecutor.Outcome? {
        do {
            guard let idx = PersistedIndex(b) else { return nil }
            if isList {
                guard !idx.isMap, idx.flags & CollectionFlags.ordered != 0, code == ListOpCode.append.rawValue else { return nil }
                return try append(idx, args)
            }
            guard idx.isMap else { return nil }
            switch code {
            case 96: return args.count == 0 ? CDTExecutor.Outcome(newValue: nil, result: MP.int(Int64(idx.count))) : nil
            case 97: return try byKey(idx, args)
            case 98: return try byIndex(idx, args)
            case 104: return try byIndexRange(idx, args)
            case 100: return idx.hasRankIndex ? try byRank(idx, args) : nil
            case 106: return idx.hasRankIndex ? try byRankRange(idx, args) : nil
            default: return nil
            }
        }
    }

    // MARK: ordered list

    /// APPEND into an ordered list: binary search, then one splice of the bytes.
    static func append(_ idx: PersistedIndex, _ args: OpArgs) throws(CDTError) -> CDTExecutor.Outcome? {
        let a = ListArgs(args)
        try a.check(.append)
        let v = try StoredForm.rewrite(try a.storable(0))
        let flags = try a.flags(2)
        return try v.withBytes { (vb: UnsafeRawBufferPointer) throws(CDTError) -> CDTExecutor.Outcome? in
            if ListFlags.isUnique(flags) && idx.lowerBound(vb).found {
                try ListFlags.exists(flags)
                return CDTExecutor.Outcome(newValue: nil, result: MP.int(Int64(idx.count)))
            }
            // After equal elements, as the general path does.
            let at = idx.upperBound(vb)
            return CDTExecutor.Outcome(newValue: idx.inserting(vb, at: at), result: MP.int(Int64(idx.count + 1)))
        }
    }

    // MARK: map reads

    static func single(_ idx: PersistedIndex, _ rt: ReturnType, _ i: Int?) -> CDTExecutor.Outcome? {
        guard !rt.inverted else { return nil }
        func out(_ r: [UInt8]?) -> CDTExecutor.Outcome { CDTExecutor.Outcome(newValue: nil, result: r) }
        guard let i, let e = idx.entry(i) else {
            switch rt.type {
            case ReturnType.none, ReturnType.key, ReturnType.value: return out(nil)
            case ReturnType.index: return out(MP.int(-1))
            case ReturnType.count: return out(MP.int(0))
            case ReturnType.exists: return out(MP.bool(false))
            case ReturnType.keyValue: return out([0x81, 0xc7, 0x00, 0x08, 0xc0])
            default: return nil
            }
        }
        switch rt.type {
        case ReturnType.none: return out(nil)
        case ReturnType.index: return out(MP.int(Int64(i)))
        case ReturnType.count: return out(MP.int(1))
        case ReturnType.exists: return out(MP.bool(true))
        case ReturnType.key: return out(Array(e.key))
        case ReturnType.value: return out(Array(e.value))
        case ReturnType.keyValue: return out(pairs(idx, i..<(i + 1), marker: 0x08))
        default: return nil
        }
    }

    static func byKey(_ idx: PersistedIndex, _ args: OpArgs) throws(CDTError) -> CDTExecutor.Outcome? {
        guard args.count == 2 else { return nil }
        let rt = ReturnType(try args.int(0))
        let key = try args.value(1)
        let hit = key.withUnsafeBytes { idx.lowerBound($0) }
        return single(idx, rt, hit.found ? hit.index : nil)
    }

    static func byIndex(_ idx: PersistedIndex, _ args: OpArgs) throws(CDTError) -> CDTExecutor.Outcome? {
        guard args.count == 2 else { return nil }
        let rt = ReturnType(try args.int(0))
        var i = try args.int(1)
        if i < 0 { i += Int64(idx.count) }
        guard i >= 0 && i < Int64(idx.count) else { return nil }  // the general path reports the error
        return single(idx, rt, Int(i))
    }

    static func byIndexRange(_ idx: PersistedIndex, _ args: OpArgs) throws(CDTError) -> CDTExecutor.Outcome? {
        guard let (rt, range) = try window(idx, args) else { return nil }
        func out(_ r: [UInt8]?) -> CDTExecutor.Outcome { CDTExecutor.Outcome(newValue: nil, result: r) }
        switch rt.type {
        case ReturnType.none: return out(nil)
        case ReturnType.count: return out(MP.int(Int64(range.count)))
        case ReturnType.exists: return out(MP.bool(!range.isEmpty))
        case ReturnType.index: return out(MP.list(range.map { MP.int(Int64($0)) }))
        case ReturnType.key, ReturnType.value:
            var w = MPWriter()
            w.appendArrayHeader(range.count)
            for i in range {
                guard let en = idx.entry(i) else { return nil }
                w.appendRaw(rt.type == ReturnType.key ? en.key : en.value)
            }
            return out(w.bytes)
        case ReturnType.keyValue: return out(pairs(idx, range, marker: 0x08))
        case ReturnType.unorderedMap: return out(pairs(idx, range, marker: nil))
        case ReturnType.orderedMap: return out(pairs(idx, range, marker: 0x01))
        default: return nil
        }
    }

    /// GET_BY_RANK on a key/value-ordered map: the rank index names the entry at once.
    static func byRank(_ idx: PersistedIndex, _ args: OpArgs) throws(CDTError) -> CDTExecutor.Outcome? {
        guard args.count == 2 else { return nil }
        let rt = ReturnType(try args.int(0))
        var r = try args.int(1)
        if r < 0 { r += Int64(idx.count) }
        guard r >= 0 && r < Int64(idx.count), !rt.inverted else { return nil }
        let i = idx.entryAtRank(Int(r))
        switch rt.type {
        case ReturnType.rank: return CDTExecutor.Outcome(newValue: nil, result: MP.int(r))
        case ReturnType.reverseRank: return CDTExecutor.Outcome(newValue: nil, result: MP.int(Int64(idx.count) - 1 - r))
        default: return single(idx, rt, i)
        }
    }

    /// GET_BY_RANK_RANGE on a key/value-ordered map: O(M) for M entries, in rank order.
    static func byRankRange(_ idx: PersistedIndex, _ args: OpArgs) throws(CDTError) -> CDTExecutor.Outcome? {
        guard let (rt, ranks) = try window(idx, args) else { return nil }
        func out(_ r: [UInt8]?) -> CDTExecutor.Outcome { CDTExecutor.Outcome(newValue: nil, result: r) }
        var w = MPWriter()
        switch rt.type {
        case ReturnType.none: return out(nil)
        case ReturnType.count: return out(MP.int(Int64(ranks.count)))
        case ReturnType.exists: return out(MP.bool(!ranks.isEmpty))
        case ReturnType.rank: return out(MP.list(ranks.map { MP.int(Int64($0)) }))
        case ReturnType.index, ReturnType.key, ReturnType.value:
            w.appendArrayHeader(ranks.count)
            for r in ranks {
                let i = idx.entryAtRank(r)
                if rt.type == ReturnType.index { w.appendInt(Int64(i)); continue }
                guard let en = idx.entry(i) else { return nil }
                w.appendRaw(rt.type == ReturnType.key ? en.key : en.value)
            }
            return out(w.bytes)
        case ReturnType.keyValue:
            w.appendMapHeader(ranks.count + 1)
            w.appendExtMarker(0x08)
            w.appendNil()
            for r in ranks { w.appendRaw(idx.element(idx.entryAtRank(r))) }
            return out(w.bytes)
        default: return nil
        }
    }

    /// `[rt, start, count?]` of an index or rank range, clipped to the collection
    /// (cdt.md section 7); nil leaves the op to the general path (INVERTED, a negative count).
    static func window(_ idx: PersistedIndex, _ args: OpArgs) throws(CDTError) -> (ReturnType, Range<Int>)? {
        guard args.count == 2 || args.count == 3 else { return nil }
        let rt = ReturnType(try args.int(0))
        guard !rt.inverted else { return nil }
        let n = Int64(idx.count)
        var start = try args.int(1)
        if start < 0 { start += n }
        var end = n
        if args.count == 3 {
            let c = try args.int(2)
            guard c >= 0 else { return nil }
            end = start &+ c
        }
        let s = Int(min(max(start, 0), n)), e = Int(min(max(end, 0), n))
        return (rt, s..<max(s, e))
    }

    /// A result map of the entries in `range`, with an ext marker when given.
    static func pairs(_ idx: PersistedIndex, _ range: Range<Int>, marker: UInt8?) -> [UInt8] {
        var w = MPWriter()
        if let marker {
            w.appendMapHeader(range.count + 1)
            w.appendExtMarker(marker)
            w.appendNil()
        } else {
            w.appendMapHeader(range.count)
        }
        for i in range { w.appendRaw(idx.element(i)) }
        return w.bytes
    }
}

extension PersistedIndex {
    /// First element strictly greater than `probe` (ordered lists).
    func upperBound(_ probe: UnsafeRawBufferPointer) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ValueOrder.compare(element(mid), probe) <= 0 { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
