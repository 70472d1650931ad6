import AeroWire
import AeroExp
import AeroGeo

extension Engine {
    /// A message with INDEX_RANGE (or INDEX_NAME): a secondary-index query.
    func startQuery(_ body: UnsafeRawBufferPointer, _ msg: Message, _ ns: Namespace, out: WireBuffer,
                    setFilter: ScanCursor.SetFilter, work: [(Int, Digest?)], maxRecords: UInt64,
                    bins: [[UInt8]], filter: Expression?, filterBytes: UnsafeMutableRawBufferPointer?) -> Outcome {
        func reject(_ rc: UInt8) -> Outcome {
            filterBytes?.deallocate()
            out.appendHeaderOnlyReply(result: rc)
            return .replied
        }
        let index: SIndex, predicate: QueryCursor.Predicate
        switch resolveIndexQuery(body, msg, ns) {
        case .failure(let e): return reject(e.code)
        case .success(let (i, p)): index = i; predicate = p
        }
        // Resume points: BVAL_ARRAY gives one bval per DIGEST_ARRAY entry, in order; the two
        // come together or not at all (the real server's checks, each answered 4).
        if (msg.digestArray == nil) != (msg.bvalArray == nil) { return reject(ResultCode.parameter) }
        if let da = msg.digestArray, let bv = msg.bvalArray, Int(da.count) / 20 != Int(bv.count) / 8 {
            return reject(ResultCode.parameter)
        }
        var bvals: [Int64] = []
        if let bv = msg.bvalArray {
            guard bv.count % 8 == 0 else { return reject(ResultCode.parameter) }
            var at = Int(bv.start)
            while at < Int(bv.start + bv.count) { bvals.append(Int64(bitPattern: body.u64LE(at))); at += 8 }
        }
        var withBvals: [(Int, Digest?, Int64?)] = []
        var k = 0
        for (pid, d) in work {
            if d != nil {
                withBvals.append((pid, d, k < bvals.count ? bvals[k] : nil))
                k += 1
            } else {
                withBvals.append((pid, nil, nil))
            }
        }
        let setID: UInt16??
        switch setFilter {
        case .all: setID = nil
        case .none: setID = .some(nil)
        case .set(let id): setID = .some(id)
        }
        var job: Job?
        if msg.info1 & Info1.shortQuery == 0, let t = msg.trid, t.count == 8 {
            job = jobs.register(trid: body.u64BE(Int(t.start)), ns: ns.name,
                                set: msg.set.map { String(decoding: body[span: $0], as: UTF8.self) } ?? "",
                                partitions: work.count)
        }
        job?.indexName = index.def.name
        job?.resumed = bvals.count
        if let st = msg.socketTimeout, st.count == 4 { job?.socketTimeout = body.u32BE(Int(st.start)) }
        let cursor = QueryCursor(engine: self, ns: ns, index: index, predicate: predicate, setID: setID,
                                 work: withBvals, maxRecords: maxRecords, noBins: msg.info1 & Info1.noBins != 0,
                                 bins: bins, filter: filter, filterBytes: filterBytes, job: job)
        if let r = msg.recordsPerSecond, r.count == 4 { cursor.throttle = Throttle(perSecond: UInt64(body.u32BE(Int(r.start)))) }
        return .stream(cursor)
    }
}

struct QueryRefusal: Error { var code: UInt8 }

extension Engine {
    /// The index a query names (or whose bin, type, collection and context match its range,
    /// preferring one on the query's set) and what it asks of the index.
    func resolveIndexQuery(_ body: UnsafeRawBufferPointer, _ msg: Message, _ ns: Namespace)
        -> Result<(SIndex, QueryCursor.Predicate), QueryRefusal> {
        func no(_ c: UInt8) -> Result<(SIndex, QueryCursor.Predicate), QueryRefusal> { .failure(QueryRefusal(code: c)) }
        if msg.indexExpression != nil { return no(ResultCode.unsupportedFeature) }
        guard let rs = msg.indexRange, let range = IndexRange.parse(body[span: rs]) else { return no(ResultCode.parameter) }
        var collection = SIndexDef.Collection.default
        if let it = msg.indexType {
            guard it.count == 1 else { return no(ResultCode.parameter) }
            switch body[Int(it.start)] {
            case 0: collection = .default
            case 1: collection = .list
            case 2: collection = .mapkeys
            case 3: collection = .mapvalues
            default: return no(ResultCode.parameter)
            }
        }
        let ctx = msg.indexContext.map { Array(body[span: $0]) }
        let found: SIndex?
        if let n = msg.indexName {
            found = ns.sindexes.find(name: String(decoding: body[span: n], as: UTF8.self))
        } else {
            // An index on the query's set, else one over the whole namespace.
            let querySet = msg.set.flatMap { $0.count > 0 ? String(decoding: body[span: $0], as: UTF8.self) : nil }
            let candidates = ns.sindexes.all.filter { s in
                s.def.bin == range.bin && s.def.particle == range.particle && s.def.collection == collection
                    && s.def.context == ctx
            }
            found = candidates.first { $0.def.set == querySet } ?? candidates.first { $0.def.set == nil }
        }
        guard let index = found else { return no(201) }     // SINDEX_NOT_FOUND
        guard index.isReady else { return no(203) }          // still building
        guard index.def.particle == range.particle else { return no(ResultCode.parameter) }
        switch index.def.type {
        case .numeric:
            guard range.begin.count == 8, range.end.count == 8 else { return no(ResultCode.parameter) }
            let lo = range.begin.withUnsafeBytes { Int64(bitPattern: $0.u64BE(0)) }
            let hi = range.end.withUnsafeBytes { Int64(bitPattern: $0.u64BE(0)) }
            return .success((index, .range(lo, hi)))
        case .string, .blob:
            return .success((index, .equal(SIndexValues.hash(range.begin[...]))))
        case .geo2dsphere:
            guard let shape = range.begin.withUnsafeBytes({ Geo.parse($0) }) else { return no(160) }
            return .success((index, .geo(shape)))
        }
    }
}

/// INDEX_RANGE (field 22): one range of a bin's values.
struct IndexRange {
    var bin: String
    var particle: UInt8
    var begin: [UInt8]
    var end: [UInt8]

    static func parse(_ b: UnsafeRawBufferPointer) -> IndexRange? {
        guard b.count >= 2, b[0] == 1 else { return nil }
        var at = 1
        let nameLen = Int(b[at]); at += 1
        guard at + nameLen + 1 + 4 <= b.count else { return nil }
        let bin = String(decoding: b.slice(at, nameLen), as: UTF8.self); at += nameLen
        let particle = b[at]; at += 1
        let bl = Int(b.u32BE(at)); at += 4
        guard bl <= b.count - at else { return nil }
        let begin = Array(b.slice(at, bl)); at += bl
        guard at + 4 <= b.count else { return nil }
        let el = Int(b.u32BE(at)); at += 4
        guard el <= b.count - at else { return nil }
        let end = Array(b.slice(at, el))
        return IndexRange(bin: bin, particle: particle, begin: begin, end: end)
    }
}
