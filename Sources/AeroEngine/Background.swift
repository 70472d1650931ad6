import AeroWire
import AeroExp

/// Background scans and queries with write operations (batch-scan-query.md 2.7): the job is
/// registered and acknowledged at once with a LAST message; a background thread then applies
/// the ops to every matching record as an update (UPDATE_ONLY, as the real server does),
/// honouring the filter expression. Progress shows in `query-show`.
extension Engine {
    func startBackground(_ body: UnsafeRawBufferPointer, _ msg: Message, _ ns: Namespace, out: WireBuffer,
                         setFilter: ScanCursor.SetFilter, query: QueryCursor.Predicate?, index: SIndex?) -> Outcome {
        func reply(_ rc: UInt8) -> Outcome {
            out.appendHeaderOnlyReply(result: rc, info3: rc == ResultCode.ok ? Info3.last : 0)
            return .replied
        }
        if msg.udfFilename != nil || msg.udfOp != nil { return reply(ResultCode.unsupportedFeature) }
        if msg.info1 & Info1.shortQuery != 0 { return reply(ResultCode.parameter) }
        var bad: UInt8 = 0
        msg.forEachOp(body) { op in
            if OpType.isRead(op.op) || !OpType.isKnown(op.op) { bad = ResultCode.parameter }
        }
        if msg.nOps == 0 { bad = ResultCode.parameter }
        if bad != 0 { return reply(bad) }
        if case .none = setFilter { return reply(ResultCode.notFound) }  // "no such set": nothing to do

        // The job outlives this request: it works on its own copy of the message, with room
        // at the end for the digest of the record being updated.
        var owned = Array(body)
        let digestAt = owned.count
        owned.append(contentsOf: [UInt8](repeating: 0, count: 20))
        var m = msg
        m.digest = Span(start: digestAt, count: 20)
        m.info3 = (m.info3 & ~(Info3.createOrReplace)) | Info3.updateOnly
        m.info1 &= ~Info1.read
        m.info2 |= Info2.write
        let trid = msg.trid.flatMap { $0.count == 8 ? body.u64BE(Int($0.start)) : nil } ?? UInt64(monotonicMs())
        let job = jobs.register(trid: trid, ns: ns.name,
                                set: msg.set.map { String(decoding: body[span: $0], as: UTF8.self) } ?? "",
                                partitions: Namespace.partitionCount)
        job.indexName = index?.def.name
        let message = m
        spawnThread(name: "bg-job") { [self] in
            owned.withUnsafeMutableBytes { buf in
                let b = UnsafeRawBufferPointer(buf)
                let filter = message.filterExp.flatMap { try? Expression.compileFilter(b[span: $0]) }
                let ctx = TxnContext()
                let scratch = WireBuffer(capacity: 1024)
                let req = RecordRequest(body: b, msg: message, ns: ns)
                for d in self.backgroundTargets(ns, setFilter: setFilter, query: query, index: index) {
                    d.write(to: buf.baseAddress! + digestAt)
                    scratch.reset()
                    ctx.reset()
                    let rc = self.writeRecord(req, d, out: scratch, ctx: ctx, batchIndex: nil, filter: filter)
                    if rc.wroteReply { job.succeeded.add(1, ordering: .relaxed) }
                }
            }
            job.finish()
        }
        return reply(ResultCode.ok)
    }

    /// The digests a background job visits: index matches for a query, every record of
    /// the set (or namespace) for a scan. Collected first, so no lock is held while writing.
    func backgroundTargets(_ ns: Namespace, setFilter: ScanCursor.SetFilter, query: QueryCursor.Predicate?,
                           index: SIndex?) -> [Digest] {
        var out: [Digest] = []
        if let index, let query {
            var lo = Int64.min, hi = Int64.max
            switch query {
            case .range(let a, let b): lo = a; hi = b
            case .equal(let v): lo = v; hi = v
            case .geo: lo = 0; hi = 0
            }
            var seen = Set<Digest>()
            index.lock.withLock {
                index.entries.forEach(bvalFrom: lo, to: hi, after: nil) { k in
                    if seen.insert(k.digest).inserted { out.append(k.digest) }
                    return true
                }
            }
            // Geo entries share one bval: keep only the records the region/point matches.
            if case .geo(let shape) = query {
                let now = clock.nowSec()
                out = out.filter { d in
                    let p = ns.partition(for: d)
                    return p.lock.withLock {
                        guard let r = ns.liveRecord(p, d, now: now) else { return false }
                        return QueryCursor.geoMatches(index, r, shape)
                    }
                }
            }
            return out
        }
        for p in ns.partitions {
            p.lock.withLock {
                p.table.forEach { d, raw in
                    switch setFilter {
                    case .all: out.append(d)
                    case .set(let id): if RecordRef(raw).setID == id { out.append(d) }
                    case .none: break
                    }
                }
            }
        }
        return out
    }
}
