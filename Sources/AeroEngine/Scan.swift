import AeroWire
import AeroExp

/// A foreground partition scan in progress. The connection calls `fill` whenever its
/// write buffer has drained, so a scan of any size streams with bounded memory and never
/// holds a partition lock across a socket write.
public final class ScanCursor: RecordStream {
    public var mayReadFile: Bool { ns.device?.readsMayHitFile ?? false }
    let engine: Engine
    let ns: Namespace
    /// Set filter: nil = whole namespace; a set that doesn't exist yields nothing.
    let setFilter: SetFilter
    /// Partitions to visit, each with an optional resume digest (return only records below it).
    var work: [(pid: Int, resume: Digest?)]
    var next = 0
    var remaining: UInt64
    let noBins: Bool
    /// Owned copy of the projected bin names (the request buffer is reused).
    let bins: [[UInt8]]
    let job: Job?
    /// Records the filter does not pass are skipped silently. It was compiled from
    /// `filterBytes`, a copy of the request's bytes that lives as long as the cursor.
    let filter: Expression?
    let filterBytes: UnsafeMutableRawBufferPointer?
    public private(set) var done = false
    var throttle = Throttle(perSecond: 0)
    public var resumeAtMs: Int64 { throttle.resumeAtMs }

    enum SetFilter { case all, none, set(UInt16) }

    init(engine: Engine, ns: Namespace, setFilter: SetFilter, work: [(Int, Digest?)], maxRecords: UInt64,
         noBins: Bool, bins: [[UInt8]], job: Job?, filter: Expression?, filterBytes: UnsafeMutableRawBufferPointer?) {
        self.engine = engine; self.ns = ns; self.setFilter = setFilter; self.filter = filter
        self.filterBytes = filterBytes
        self.work = work; self.remaining = maxRecords == 0 ? .max : maxRecords
        self.noBins = noBins; self.bins = bins; self.job = job
    }

    deinit { filterBytes?.deallocate() }

    /// Appends one frame of records (about `target` bytes), and the LAST message when finished.
    public func fill(_ out: WireBuffer, ctx: TxnContext, target: Int) {
        guard !done else { return }
        let frame = out.beginFrame(type: ProtoType.message)
        let startCount = out.count
        let now = engine.clock.nowSec()
        let before = remaining
        let limit = remaining > throttle.allowance ? remaining - throttle.allowance : 0
        while next < work.count && remaining > limit && out.count - startCount < target {
            let (pid, resume) = work[next]
            next += 1
            scanPartition(ns.partitions[pid], resume: resume, now: now, out: out, ctx: ctx)
        }
        throttle.sent(before - remaining)
        let wroteRecords = out.count != startCount
        if wroteRecords {
            out.endFrame(at: frame)
        } else {
            out.truncate(to: frame)  // no records: no empty frame
        }
        if (next >= work.count || remaining == 0) && !wroteRecords {
            // LAST goes out on its own, in a later write than the last records: the real
            // server sends it separately, and aerospike-py 0.10.3 loses records when the
            // two arrive together.
            out.appendHeaderOnlyReply(result: ResultCode.ok, info3: Info3.last)
            done = true
            job?.finish()
        }
    }

    private func scanPartition(_ p: Partition, resume: Digest?, now: UInt32, out: WireBuffer, ctx: TxnContext) {
        p.lock.lock(); defer { p.lock.unlock() }
        ctx.digests.removeAll(keepingCapacity: true)
        p.table.forEach { d, _ in
            if let r = resume, !Digest.byteOrderLess(d, r) { return }
            ctx.digests.append(d)
        }
        // The real server walks a partition in descending digest order.
        ctx.digests.sort { Digest.byteOrderLess($1, $0) }
        let nowMs = engine.clock.nowMs()
        for d in ctx.digests {
            guard remaining > 0 else { break }
            // The set is in the index entry's header: records of other sets are never read.
            guard let entry = p.table.get(d) else { continue }
            switch setFilter {
            case .all: break
            case .none: continue
            case .set(let id): if RecordRef(entry).setID != id { continue }
            }
            guard let r = ns.liveRecord(p, d, now: now) else { continue }
            if let filter, !filter.passes(StoredRecordView(r: r, ns: ns, now: nowMs)) { continue }
            if emitRecord(out, ns, r, d, noBins: noBins, bins: bins, bval: nil) {
                remaining -= 1
                job?.succeeded.add(1, ordering: .relaxed)
            }
        }
    }
}

extension Engine {
    /// A message without a digest: a scan or query (batch-scan-query.md section 2).
    func startScan(_ body: UnsafeRawBufferPointer, _ msg: Message, _ ns: Namespace, out: WireBuffer) -> Outcome {
        // The cursor outlives the request buffer: the filter is compiled from a copy it owns
        // (freed here when the request is refused, else by the cursor).
        var filterBytes: UnsafeMutableRawBufferPointer? = nil
        func reject(_ rc: UInt8) -> Outcome {
            filterBytes?.deallocate()
            filterBytes = nil
            out.appendHeaderOnlyReply(result: rc)
            return .replied
        }
        if msg.udfFilename != nil || msg.udfOp != nil {
            return reject(ResultCode.unsupportedFeature)  // UDF jobs and aggregations need a Lua runtime
        }
        let background = msg.info2 & Info2.write != 0
        var filter: Expression? = nil
        if let f = msg.filterExp {
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(Int(f.count), 1), alignment: 8)
            copy.copyMemory(from: body[span: f])
            let owned = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(copy)[0..<Int(f.count)])
            filterBytes = copy
            do { filter = try Expression.compileFilter(owned) } catch { return reject(error.code) }
        }
        if !background && msg.info3 & Info3.partitionDone == 0 { return reject(ResultCode.unsupportedFeature) }
        if !background && msg.pidArray == nil && msg.digestArray == nil { return reject(ResultCode.unsupportedFeature) }
        if msg.recordsPerSecond != nil && msg.info1 & Info1.shortQuery != 0 { return reject(ResultCode.parameter) }

        // Projection: READ ops naming bins, or the legacy bin-list field.
        var bins: [[UInt8]] = []
        var bad: UInt8 = 0
        msg.forEachOp(body) { op in
            if background { return }  // write ops, checked by the background job
            if !OpType.isRead(op.op) { bad = ResultCode.parameter; return }
            if op.op != OpType.read { bad = ResultCode.unsupportedFeature; return }
            if op.name.count > 15 { bad = ResultCode.binName; return }
            bins.append(Array(body[span: op.name]))
        }
        if bad != 0 { return reject(bad) }
        if let bl = msg.queryBinList {
            if msg.nOps > 0 { return reject(ResultCode.parameter) }
            guard let names = parseBinList(body[span: bl]) else { return reject(ResultCode.parameter) }
            bins = names
        }

        if background {
            let setFilter: ScanCursor.SetFilter
            if let s = msg.set, s.count > 0 {
                if let info = ns.sets.find(body[span: s]) { setFilter = .set(info.id) } else { setFilter = .none }
            } else {
                setFilter = .all
            }
            filterBytes?.deallocate()
            filterBytes = nil
            if msg.indexRange != nil || msg.indexName != nil {
                switch resolveIndexQuery(body, msg, ns) {
                case .failure(let e): return reject(e.code)
                case .success(let (index, predicate)):
                    return startBackground(body, msg, ns, out: out, setFilter: setFilter, query: predicate, index: index)
                }
            }
            return startBackground(body, msg, ns, out: out, setFilter: setFilter, query: nil, index: nil)
        }
        guard let work = partitionWork(body, msg) else { return reject(ResultCode.parameter) }
        // BVAL_ARRAY belongs to index queries only.
        if msg.bvalArray != nil && msg.indexRange == nil && msg.indexName == nil { return reject(ResultCode.parameter) }
        var maxRecords: UInt64 = 0
        if let mr = msg.maxRecords {
            guard mr.count == 8 else { return reject(ResultCode.parameter) }
            maxRecords = body.u64BE(Int(mr.start))
        }
        let setFilter: ScanCursor.SetFilter
        if let s = msg.set, s.count > 0 {
            if let info = ns.sets.find(body[span: s]) { setFilter = .set(info.id) } else { setFilter = .none }
        } else {
            setFilter = .all
        }
        if msg.indexRange != nil || msg.indexName != nil || msg.indexExpression != nil {
            return startQuery(body, msg, ns, out: out, setFilter: setFilter, work: work, maxRecords: maxRecords,
                              bins: bins, filter: filter, filterBytes: filterBytes)
        }
        var job: Job?
        if msg.info1 & Info1.shortQuery == 0, let t = msg.trid, t.count == 8 {
            job = jobs.register(trid: body.u64BE(Int(t.start)), ns: ns.name,
                                set: msg.set.map { String(decoding: body[span: $0], as: UTF8.self) } ?? "",
                                partitions: work.count)
        }
        let rps = msg.recordsPerSecond.flatMap { $0.count == 4 ? UInt64(body.u32BE(Int($0.start))) : nil } ?? 0
        let cursor = ScanCursor(engine: self, ns: ns, setFilter: setFilter, work: work, maxRecords: maxRecords,
                                noBins: msg.info1 & Info1.noBins != 0, bins: bins, job: job,
                                filter: filter, filterBytes: filterBytes)
        cursor.throttle = Throttle(perSecond: rps)
        return .stream(cursor)
    }

    /// PID_ARRAY (full partitions) and DIGEST_ARRAY (resume points); nil when malformed.
    private func partitionWork(_ body: UnsafeRawBufferPointer, _ msg: Message) -> [(Int, Digest?)]? {
        var work: [(Int, Digest?)] = []
        var seen = [Bool](repeating: false, count: Namespace.partitionCount)
        if let pa = msg.pidArray {
            guard pa.count > 0, pa.count % 2 == 0, pa.count / 2 <= Namespace.partitionCount else { return nil }
            var at = Int(pa.start)
            for _ in 0..<(Int(pa.count) / 2) {
                let pid = Int(body.u16LE(at))
                guard pid < Namespace.partitionCount, !seen[pid] else { return nil }
                seen[pid] = true
                work.append((pid, nil))
                at += 2
            }
        }
        if let da = msg.digestArray {
            guard da.count > 0, da.count % 20 == 0, da.count / 20 <= Namespace.partitionCount else { return nil }
            var at = Int(da.start)
            for _ in 0..<(Int(da.count) / 20) {
                let d = Digest(body.slice(at, 20))
                guard !seen[d.partitionID] else { return nil }
                seen[d.partitionID] = true
                work.append((d.partitionID, d))
                at += 20
            }
        }
        return work
    }

    /// Legacy QUERY_BINLIST: u8 count, then (u8 length, name) per bin.
    private func parseBinList(_ b: UnsafeRawBufferPointer) -> [[UInt8]]? {
        guard b.count >= 1 else { return nil }
        var names: [[UInt8]] = []
        var at = 1
        for _ in 0..<Int(b[0]) {
            guard at < b.count else { return nil }
            let n = Int(b[at])
            guard at + 1 + n <= b.count else { return nil }
            names.append(Array(b.slice(at + 1, n)))
            at += 1 + n
        }
        return names
    }
}
