/// Runs one CDT operation (op type 3 or 4) on a bin value: unwraps the context, walks to the
/// addressed list or map (creating missing levels when the context asks), applies the list or
/// map operation, and rebuilds the levels above it.
public enum CDTExecutor {
    public struct Outcome {
        /// The bin's new stored value (nil = unchanged).
        public var newValue: [UInt8]?
        /// The op's result as msgpack (nil = no result).
        public var result: [UInt8]?
    }

    /// `bin` is the bin's current msgpack value, nil when the bin does not exist.
    /// `binIsCollection` is false when the bin holds a scalar (the op then fails with 12).
    public static func run(payload: UnsafeRawBufferPointer, bin binBytes: UnsafeRawBufferPointer?, binIsCollection: Bool,
                           modify: Bool) throws(CDTError) -> Outcome {
        try MPReader.validate(payload)
        var r = MPReader(payload)
        let top = try r.next()
        guard top.kind == .list, top.children >= 1 else { throw .parameter }
        let first = try r.header()
        guard first.kind == .int || first.kind == .negInt else { throw .parameter }

        var steps: [ContextStep] = []
        let opBytes: [UInt8]
        if first.int == 0xff {
            guard top.children == 3 else { throw .parameter }
            _ = try r.next()
            steps = try Context.parse(Array(try r.element()))
            opBytes = Array(try r.element())
        } else if first.int == 0xfe {
            throw .parameter  // path select/modify: not supported yet
        } else {
            opBytes = Array(payload)
        }
        let (code, args) = try opBytes.withBytes { (b: UnsafeRawBufferPointer) throws(CDTError) in try OpArgs.split(b) }
        let isList = code < 64
        let opModifies = isList ? ListOps.isModify(code) : MapOps.isModify(code)
        if opModifies != modify { throw .parameter }  // a modify op sent as a read, or the reverse
        if binBytes != nil && !binIsCollection { throw .incompatibleType }

        // Indexed collections answer their common ops without a copy or a full parse.
        if steps.isEmpty, let b = binBytes, let fast = try PersistedFast.run(code: code, args: args, isList: isList, bin: b) {
            return fast
        }
        let bin = binBytes.map { Array($0) }
        if steps.isEmpty {
            var out = Outcome()
            let (value, result) = try applyOp(code: code, args: args, isList: isList, to: bin)
            out.result = result
            if modify, let value, value != bin { out.newValue = value }
            return out
        }
        return try runInContext(steps: steps, code: code, args: args, isList: isList, bin: bin, modify: modify)
    }

    /// Applies a list or map op to an element (nil = absent); returns (new value, result).
    /// Nested containers never keep PERSIST_INDEX (only a bin's top level may).
    static func applyOp(code: Int, args: OpArgs, isList: Bool, to element: [UInt8]?, nested: Bool = false) throws(CDTError) -> ([UInt8]?, [UInt8]?) {
        let keep: UInt8 = nested ? ~CollectionFlags.persistIndex : 0xff
        if isList {
            var list: CDTList? = try element.map { (e: [UInt8]) throws(CDTError) -> CDTList in try CDTList.parse(e) }
            let result = try ListOps.apply(code: code, args: args, to: &list)
            list?.flags &= keep
            return (list?.encode(), result)
        } else {
            var map: CDTMap? = try element.map { (e: [UInt8]) throws(CDTError) -> CDTMap in try CDTMap.parse(e) }
            let result = try MapOps.apply(code: code, args: args, to: &map)
            map?.flags &= keep
            return (map?.encode(), result)
        }
    }

    static func runInContext(steps: [ContextStep], code: Int, args: OpArgs, isList: Bool,
                             bin: [UInt8]?, modify: Bool) throws(CDTError) -> Outcome {
        // A context on a missing bin: reads find nothing; modifies may create the top level.
        if bin == nil && !modify { return Outcome() }
        var levels: [Level] = []
        var current: [UInt8]? = bin
        for step in steps {
            var container: [UInt8]
            if let c = current {
                container = c
            } else {
                // This level does not exist: the step's create bits say what to make.
                guard modify, step.createBits != 0 else { throw .opNotApplicable }
                container = emptyContainer(for: step)
            }
            let kind = try container.withReader { r throws(CDTError) in try r.header().kind }
            if step.isList {
                guard kind == .list else { throw kind == .map ? .opNotApplicable : .incompatibleType }
                var list = try CDTList.parse(container)
                let idx = try locate(step, in: &list, modify: modify)
                current = idx < list.items.count ? list.items[idx] : nil
                levels.append(.list(list, index: idx))
            } else {
                guard kind == .map else { throw kind == .list ? .opNotApplicable : .incompatibleType }
                var map = try CDTMap.parse(container)
                let before = map.entries.count
                let idx = try locate(step, in: &map, modify: modify)
                // A key the step just created holds nothing yet.
                current = map.entries.count > before ? nil : map.entries[idx].value
                levels.append(.map(map, index: idx))
            }
            // A nil `current` past this point is an element the op (or the next step) creates.
        }
        if let c = current {
            let kind = try c.withReader { r throws(CDTError) in try r.header().kind }
            if kind != .list && kind != .map { throw .incompatibleType }
        } else if !modify {
            return Outcome()
        }
        let (value, result) = try applyOp(code: code, args: args, isList: isList, to: current, nested: true)
        var out = Outcome(newValue: nil, result: result)
        guard modify, let newChild = value else { return out }
        out.newValue = rebuild(levels, newChild)
        return out
    }

    /// A new container for a level that does not exist yet, from a step's create bits.
    static func emptyContainer(for step: ContextStep) -> [UInt8] {
        let bits = step.createBits & 0xc0
        if step.isList {
            return CDTList(flags: bits == 0xc0 ? CollectionFlags.ordered : 0).encode()
        }
        let flags: UInt8 = bits == 0x80 ? CollectionFlags.ordered : bits == 0xc0 ? CollectionFlags.kvOrdered : 0
        return CDTMap(flags: flags).encode()
    }

    /// Position of the element a list step selects; may grow the list (create with padding).
    static func locate(_ step: ContextStep, in list: inout CDTList, modify: Bool) throws(CDTError) -> Int {
        let n = list.items.count
        switch step.base {
        case ContextStep.index:
            let i = try position(step.value, count: n)
            if i >= 0 && i < Int64(n) { return Int(i) }
            guard modify, step.createBits != 0, i >= Int64(n), i - Int64(n) < 1_000_000 else { throw .opNotApplicable }
            // Only an append position, unless the create bits ask for nil padding (0x80).
            if i > Int64(n) && step.createBits & 0xc0 != 0x80 { throw .opNotApplicable }
            while list.items.count < Int(i) { list.items.append(MP.nil_) }
            return Int(i)
        case ContextStep.rank:
            return try element(ofRank: position(step.value, count: n), count: n) { list.items[$0] }
        case ContextStep.value:
            for (i, item) in list.items.enumerated() where ValueOrder.compare(item, step.value) == 0 { return i }
            throw .opNotApplicable
        default:
            throw .parameter
        }
    }

    /// Position of the entry a map step selects (-1 never returned: absent keys are inserted
    /// when the step may create, else 26).
    static func locate(_ step: ContextStep, in map: inout CDTMap, modify: Bool) throws(CDTError) -> Int {
        let n = map.entries.count
        switch step.base {
        case ContextStep.index:
            let i = try position(step.value, count: n)
            guard i >= 0 && i < Int64(n) else { throw .opNotApplicable }
            return Int(i)
        case ContextStep.rank:
            return try element(ofRank: position(step.value, count: n), count: n) { map.entries[$0].value }
        case ContextStep.key:
            let (i, found) = map.find(key: step.value)
            if found { return i }
            guard modify, step.createBits != 0 else { throw .opNotApplicable }
            try OpArgs.checkStorable(step.value)
            // The value is a placeholder; the next step or the op decides what it becomes.
            map.entries.insert(CDTMap.Entry(key: step.value, value: MP.nil_), at: i)
            return i
        case ContextStep.value:
            for (i, e) in map.entries.enumerated() where ValueOrder.compare(e.value, step.value) == 0 { return i }
            throw .opNotApplicable
        default:
            throw .parameter
        }
    }

    /// An index or rank step's integer, counted from the end when negative.
    static func position(_ v: [UInt8], count n: Int) throws(CDTError) -> Int64 {
        let i = try intValue(v)
        return i < 0 ? i + Int64(n) : i
    }

    /// The position of the element of rank `rk` (ties keep their order), or 26 when none.
    static func element(ofRank rk: Int64, count n: Int, value: (Int) -> [UInt8]) throws(CDTError) -> Int {
        guard rk >= 0 && rk < Int64(n) else { throw .opNotApplicable }
        let order = stableSorted(Array(0..<n)) { ValueOrder.compare(value($0), value($1)) < 0 }
        return order[Int(rk)]
    }

    static func intValue(_ v: [UInt8]) throws(CDTError) -> Int64 {
        let h = try v.withReader { r throws(CDTError) in try r.next() }
        guard h.kind == .int || h.kind == .negInt else { throw .parameter }
        return h.int
    }

    /// Puts the changed element back into each level, innermost first; returns the bin value.
    static func rebuild(_ levels: [Level], _ leaf: [UInt8]) -> [UInt8] {
        var child = leaf
        for level in levels.reversed() {
            switch level {
            case .list(var list, let index):
                if index < list.items.count { list.items[index] = child } else { list.items.append(child) }
                if list.isOrdered { list.sortByValue() }
                child = list.encode()
            case .map(var map, let index):
                map.entries[index].value = child
                child = map.encode()
            }
        }
        return child
    }
}
