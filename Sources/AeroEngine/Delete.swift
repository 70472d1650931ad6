import AeroWire
import AeroExp

extension Engine {
    /// remove (info2 WRITE|DELETE).
    func deleteRecord(_ req: RecordRequest, _ digest: Digest, out: WireBuffer, batchIndex: UInt32?, filter: Expression?) -> TxnResult {
        let msg = req.msg, ns = req.ns
        // CE refuses durable deletes (tombstones are an Enterprise feature).
        if msg.info2 & Info2.durableDelete != 0 { return .error(ResultCode.enterpriseOnly) }
        let p = ns.partition(for: digest)
        p.lock.lock(); defer { p.lock.unlock() }
        // CE deletes do not check for doomed records: an expired record not yet swept is deleted (OK).
        guard let entry = p.table.get(digest) else { return .error(ResultCode.notFound) }
        guard let r = ns.image(entry, digest) else { return .error(ResultCode.unknown) }
        if let k = msg.key, !keyMatches(r, req.body[span: k]) { return .error(ResultCode.keyMismatch) }
        // A delete the filter rejects replies without the record's metadata (as the real server).
        if let filter, !filter.passes(StoredRecordView(r: r, ns: ns, now: clock.nowMs())) {
            return .error(ResultCode.filteredOut)
        }
        let gen = UInt32(r.generation)
        if msg.info2 & Info2.generation != 0 && msg.generation != gen { return .error(ResultCode.generation) }
        if msg.info2 & Info2.generationGT != 0 && msg.generation <= gen { return .error(ResultCode.generation) }
        let rc = ns.dropRecord(p, digest, image: r)
        if rc != 0 { return .error(rc) }
        let reply = ReplyBuilder(out, batchIndex: batchIndex)
        return reply.finish(out, generation: 0, voidTime: 0)
    }
}
