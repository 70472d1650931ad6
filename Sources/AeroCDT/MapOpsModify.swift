/// The map ops that write entries or attributes: SET_TYPE, ADD/PUT/REPLACE (+ _ITEMS),
/// INCREMENT/DECREMENT (cdt.md 4, 4.1, 7). Every check runs before the map is touched, so a
/// throwing op leaves it as it was.
enum MapModify {
    /// Write modes (cdt.md 4.1).
    struct Control {
        var overwrite = true, create = true, noFail = false, partial = false

        init(code: Int, modify: UInt64) {
            switch code {
            case 65, 66: overwrite = false                     // ADD, ADD_ITEMS: create only
            case 69, 70: create = false                        // REPLACE, REPLACE_ITEMS: update only
            default:
                overwrite = modify & 0x01 == 0                 // CREATE_ONLY
                create = modify & 0x02 == 0                    // UPDATE_ONLY
                noFail = modify & 0x04 != 0
                partial = modify & 0x08 != 0
            }
        }
    }

    /// The attributes a map gets when an op creates it: only the valid orders (1, 2, 3, with
    /// or without persist index) survive; anything else makes an unordered map.
    static func creationFlags(_ f: UInt8) -> UInt8 {
        switch f {
        case 0x01, 0x02, 0x03, 0x11, 0x12, 0x13: return f
        default: return 0
        }
    }
    static func validFlags(_ f: UInt8) -> Bool { f & ~(CollectionFlags.kvOrdered | CollectionFlags.persistIndex) == 0 }

    /// SET_TYPE: `[flags]`; invalid flags → 26.
    static func setType(_ args: OpArgs, _ map: inout CDTMap?) throws(CDTError) -> [UInt8]? {
        try MapArgs.arity(args, 1, 1)
        let f = try MapArgs.flags(args, 0)
        guard validFlags(f) else { throw .opNotApplicable }
        if map == nil { map = CDTMap(flags: f) } else { map!.flags = f }
        return nil
    }

    /// A key and value as stored: storable, the key an int/string/blob (else 4).
    static func storedPair(_ args: OpArgs, _ ki: Int, _ vi: Int) throws(CDTError) -> CDTMap.Entry {
        let k = try args.storable(ki), v = try args.storable(vi)
        guard StoredForm.isMapKey(k) else { throw .parameter }
        return CDTMap.Entry(key: try StoredForm.rewrite(k), value: try StoredForm.rewrite(v))
    }

    /// The optional arguments after the `after` fixed ones: ADD takes a map attribute, PUT an
    /// attribute and write flags, REPLACE neither (more arguments than that: 4).
    static func attrAndFlags(_ args: OpArgs, after fixed: Int, add: Bool, put: Bool) throws(CDTError) -> (attr: UInt8, modify: UInt64) {
        try MapArgs.arity(args, fixed, fixed + (put ? 2 : add ? 1 : 0))
        guard add || put else { return (0, 0) }
        let attr = try MapArgs.flags(args, fixed)
        return (attr, put ? try MapArgs.uint(args, fixed + 1, default: 0) : 0)
    }

    /// ADD `[key, value, attr?]`, PUT `[key, value, attr?, flags?]`, REPLACE `[key, value]`.
    /// Result: the entry count afterwards.
    static func put(_ code: Int, _ args: OpArgs, _ map: inout CDTMap?) throws(CDTError) -> [UInt8]? {
        let (attr, modify) = try attrAndFlags(args, after: 2, add: code == 65, put: code == 67)
        let entry = try storedPair(args, 0, 1)
        let ctl = Control(code: code, modify: modify)
        let pos = map?.find(key: entry.key) ?? (index: 0, found: false)
        if pos.found ? !ctl.overwrite : !ctl.create {
            guard ctl.noFail else { throw pos.found ? .elementExists : .elementNotFound }
            if map == nil { map = CDTMap(flags: creationFlags(attr)) }
            return MP.int(Int64(map!.count))
        }
        if map == nil { map = CDTMap(flags: creationFlags(attr)) }
        if pos.found { map!.entries[pos.index].value = entry.value } else { map!.entries.insert(entry, at: pos.index) }
        return MP.int(Int64(map!.count))
    }

    /// ADD_ITEMS `[map, attr?]`, PUT_ITEMS `[map, attr?, flags?]`, REPLACE_ITEMS `[map]`.
    /// Items go in key order; a failing item fails the op (24/23) unless NO_FAIL, which skips
    /// the whole op, or NO_FAIL|DO_PARTIAL, which skips only that item.
    static func putItems(_ code: Int, _ args: OpArgs, _ map: inout CDTMap?) throws(CDTError) -> [UInt8]? {
        // REPLACE_ITEMS on a missing map fails before its argument is read.
        if code != 66 && code != 68 && map == nil { throw .elementNotFound }
        let (attr, modify) = try attrAndFlags(args, after: 1, add: code == 66, put: code == 68)
        let raw = try args.storable(0)
        guard (try raw.withReader { r throws(CDTError) in try r.header() }).kind == .map else { throw .parameter }
        let items = try CDTMap.parse(try StoredForm.rewrite(raw)).entries
        let ctl = Control(code: code, modify: modify)
        let existing = map?.entries ?? []
        let sizeNow = MP.int(Int64(existing.count))

        // Decide every item first (nothing is written on failure).
        var take = [Bool](repeating: true, count: items.count)
        if existing.isEmpty {
            // asd 8.1.2 (map_add_items_ordered): on an empty map an update-only write fails
            // (23), is skipped with NO_FAIL, and with NO_FAIL|DO_PARTIAL puts every item.
            if !ctl.create && !items.isEmpty {
                guard ctl.noFail else { throw .elementNotFound }
                if !ctl.partial {
                    if map == nil { map = CDTMap(flags: creationFlags(attr)) }
                    return sizeNow
                }
            }
        } else {
            var j = 0
            for (i, it) in items.enumerated() {
                while j < existing.count && ValueOrder.compare(existing[j].key, it.key) < 0 { j += 1 }
                let found = j < existing.count && ValueOrder.compare(existing[j].key, it.key) == 0
                if found ? ctl.overwrite : ctl.create { continue }
                guard ctl.noFail else { throw found ? .elementExists : .elementNotFound }
                if !ctl.partial { return sizeNow }
                take[i] = false
            }
        }
        if map == nil { map = CDTMap(flags: creationFlags(attr)) }
        if items.isEmpty { return sizeNow }

        // Merge the two key-ordered sequences; an item replaces an equal key's value.
        var out: [CDTMap.Entry] = []
        out.reserveCapacity(existing.count + items.count)
        var j = 0
        for (i, it) in items.enumerated() where take[i] {
            while j < existing.count && ValueOrder.compare(existing[j].key, it.key) < 0 { out.append(existing[j]); j += 1 }
            if j < existing.count && ValueOrder.compare(existing[j].key, it.key) == 0 { j += 1 }
            out.append(it)
        }
        while j < existing.count { out.append(existing[j]); j += 1 }
        map!.entries = out
        return MP.int(Int64(out.count))
    }

    /// INCREMENT / DECREMENT `[key, delta?, attr?]`: a missing key is created with the delta
    /// (default 1); int values stay int (a double delta is truncated), double values take
    /// the delta as double; a delta that is not int/double/nil, or a value that is not a
    /// number → 4. Result: the new value.
    static func increment(_ args: OpArgs, _ map: inout CDTMap?, decrement: Bool) throws(CDTError) -> [UInt8]? {
        try MapArgs.arity(args, 1, 3)
        let keyArg = try args.value(0)
        let deltaArg = args.has(1) ? try args.value(1) : nil
        let attr = try MapArgs.flags(args, 2)

        enum Num { case int(Int64), double(Double), none }
        func number(_ b: [UInt8]) throws(CDTError) -> Num {
            let h = try b.withReader { r throws(CDTError) in try r.next() }
            switch h.kind {
            case .int, .negInt: return .int(h.int)
            case .double: return .double(h.double)
            case .nil_: return .none
            default: throw .parameter
            }
        }
        let delta: Num = deltaArg == nil ? .none : try number(deltaArg!)
        var incInt: Int64 = 1, incDouble: Double = 1
        switch delta {
        case .int(let i): incInt = i
        case .double(let d): incDouble = d
        case .none: break
        }
        if decrement { incInt = 0 &- incInt; incDouble = -incDouble }

        // The key is looked up as given, then validated as a stored key.
        let pos = map?.find(key: keyArg) ?? (index: 0, found: false)
        var newValue: [UInt8]
        if pos.found {
            switch try number(map!.entries[pos.index].value) {
            case .int(let v):
                if case .double = delta { newValue = MP.int(v &+ truncated(incDouble)) } else { newValue = MP.int(v &+ incInt) }
            case .double(let v):
                if case .double = delta { newValue = MP.double(v + incDouble) } else { newValue = MP.double(v + Double(incInt)) }
            case .none: throw .parameter
            }
        } else if case .double = delta {
            newValue = MP.double(incDouble)
        } else {
            newValue = MP.int(incInt)
        }
        try OpArgs.checkStorable(keyArg)
        guard StoredForm.isMapKey(keyArg) else { throw .parameter }
        let key = try StoredForm.rewrite(keyArg)

        if map == nil { map = CDTMap(flags: creationFlags(attr)) }
        if pos.found {
            map!.entries[pos.index].value = newValue
        } else {
            map!.entries.insert(CDTMap.Entry(key: key, value: newValue), at: pos.index)
        }
        return newValue
    }

    /// C's `(int64_t)double` on x86-64: toward zero; NaN and out-of-range give INT64_MIN.
    static func truncated(_ d: Double) -> Int64 {
        if d.isNaN || d >= 9_223_372_036_854_775_808.0 || d < -9_223_372_036_854_775_808.0 { return Int64.min }
        return Int64(d)
    }
}
