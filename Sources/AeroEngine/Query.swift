import AeroWire
import AeroExp
import AeroGeo

/// A secondary-index query (batch-scan-query.md 2.3-2.5): walks the index in (bval, digest)
/// order, a bounded slice at a time (the index lock is never held across a record read or
/// a socket write), re-checks each record under its partition lock, and streams it with
/// its bval. A record matching under several bvals is returned once.
final class QueryCursor: RecordStream {
    var mayReadFile: Bool { ns.device?.readsMayHitFile ?? false }
    enum Predicate {
        case range(Int64, Int64)          // numeric, inclusive
        case equal(Int64)                 // string / blob: the bval of the value
        case geo(GeoShape)
    }
    let engine: Engine
    let ns: Namespace
    let index: SIndex
    let predicate: Predicate
    let setID: UInt16??                   // nil = any set; .some(nil) = the query's set does not exist
    var allowed = [Bool](repeating: false, count: Namespace.partitionCount)
    var resume: [Int: IndexKey] = [:]
    var remaining: UInt64
    let noBins: Bool
    let bins: [[UInt8]]
    let filter: Expression?
    let filterBytes: UnsafeMutableRawBufferPointer?
    let job: Job?
    var cursor: IndexKey?
    var seen = Set<Digest>()
    var scratch: [Int64] = []
    private(set) var done = false
    var throttle = Throttle(perSecond: 0)
    var resumeAtMs: Int64 { throttle.resumeAtMs }

    init(engine: Engine, ns: Namespace, index: SIndex, predicate: Predicate, setID: UInt16??,
         work: [(Int, Digest?, Int64?)], maxRecords: UInt64, noBins: Bool, bins: [[UInt8]],
         filter: Expression?, filterBytes: UnsafeMutableRawBufferPointer?, job: Job?) {
        self.engine = engine; self.ns = ns; self.index = index; self.predicate = predicate; self.setID = setID
        for (pid, d, b) in work {
            allowed[pid] = true
            if let d { resume[pid] = IndexKey(bval: b ?? Int64.min, digest: d) }
        }
        remaining = maxRecords == 0 ? .max : maxRecords
        self.noBins = noBins; self.bins = bins; self.filter = filter; self.filterBytes = filterBytes; self.job = job
    }
    deinit { filterBytes?.deallocate() }

    var bounds: (Int64, Int64) {
        switch predicate {
        case .range(let lo, let hi): return (lo, hi)
        case .equal(let b): return (b, b)
        case .geo: return (0, 0)
        }
    }

    func fill(_ out: WireBuffer, ctx: TxnContext, target: Int = 128 * 1024) {
        guard !done else { return }
        let frame = out.beginFrame(type: ProtoType.message)
        let start = out.count
        var exhausted = false
        if case .some(.none) = setID { exhausted = true }
        let before = remaining
        let limit = remaining > throttle.allowance ? remaining - throttle.allowance : 0
        while !exhausted && remaining > limit && out.count - start < target {
            // Take a slice of keys under the index lock, then visit records without it.
            var keys: [IndexKey] = []
            keys.reserveCapacity(256)
            let (lo, hi) = bounds
            index.lock.withLock {
                index.entries.forEach(bvalFrom: lo, to: hi, after: cursor) { k in
                    keys.append(k)
                    return keys.count < 256
                }
            }
            if keys.count < 256 { exhausted = true }
            if let last = keys.last { cursor = last }
            for k in keys where remaining > limit { visit(k, out) }
            if remaining == limit && limit > 0, let last = keys.last, cursor == last {
                // The allowance ran out inside this slice: resume after the last key visited.
                cursor = lastVisited
            }
        }
        throttle.sent(before - remaining)
        let wrote = out.count != start
        if wrote { out.endFrame(at: frame) } else { out.truncate(to: frame) }
        // LAST goes out in a call that sent no records, so it never shares a write with them.
        if (exhausted || remaining == 0) && !wrote {
            out.appendHeaderOnlyReply(result: ResultCode.ok, info3: Info3.last)
            done = true
            job?.finish()
        }
    }

    private var lastVisited: IndexKey?

    private func visit(_ k: IndexKey, _ out: WireBuffer) {
        lastVisited = k
        let pid = k.digest.partitionID
        guard allowed[pid] else { return }
        if let r = resume[pid], !(r < k) { return }
        if seen.contains(k.digest) { return }
        let p = ns.partitions[pid]
        p.lock.lock(); defer { p.lock.unlock() }
        guard let r = ns.liveRecord(p, k.digest, now: engine.clock.nowSec()) else { return }
        if case .some(.some(let sid)) = setID, r.setID != sid { return }
        // Re-check against the record as it is now.
        SIndexValues.bvals(index.def, r, binName: index.binName, into: &scratch)
        guard scratch.contains(k.bval) else { return }
        if case .geo(let shape) = predicate, !QueryCursor.geoMatches(index, r, shape) { return }
        if let filter, !filter.passes(StoredRecordView(r: r, ns: ns, now: engine.clock.nowMs())) { return }
        if emitRecord(out, ns, r, k.digest, noBins: noBins, bins: bins, bval: k.bval) {
            seen.insert(k.digest)
            remaining -= 1
            job?.succeeded.add(1, ordering: .relaxed)
        }
    }

    /// Does any GeoJSON value the index takes from this record match the query region/point?
    static func geoMatches(_ index: SIndex, _ r: RecordRef, _ shape: GeoShape) -> Bool {
        guard let bin = index.binName.withUnsafeBytes({ r.findBin($0) }) else { return false }
        if bin.particle == ParticleType.geojson {
            guard let text = Geo.particleText(bin.value), let v = Geo.parse(text) else { return false }
            return Geo.matches(shape, v)
        }
        return false
    }
}
