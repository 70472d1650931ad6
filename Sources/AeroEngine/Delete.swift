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
        // The header (generation, stored-key type) is in the index entry; the image is read only
        // for a key check or a filter, so a plain delete of a device record reads nothing (and
        // still works when the image on the file is damaged).
        let header = RecordRef(entry)
        var image: RecordRef? = nil
        if (msg.key != nil && header.keyType != 0) || filter != nil {
            guard let r = ns.image(entry, digest) else { return .error(ResultCode.unknown) }
            image = r
        }
        if let k = msg.key, let r = image, !keyMatches(r, req.body[span: k]) { return .error(ResultCode.keyMismatch) }
        // A delete the filter rejects replies without the record's metadata (as the real server).
        if let filter, let r = image, !filter.passes(StoredRecordView(r: r, ns: ns, now: clock.nowMs())) {
            return .error(ResultCode.filteredOut)
        }
        let gen = UInt32(header.generation)
        if msg.info2 & Info2.generation != 0 && msg.generation != gen { return .error(ResultCode.generation) }
        if msg.info2 & Info2.generationGT != 0 && msg.generation <= gen { return .error(ResultCode.generation) }
        let rc = ns.dropRecord(p, digest, image: image)
        if rc != 0 { return .error(rc) }
        let reply = ReplyBuilder(out, batchIndex: batchIndex)
        return reply.finish(out, generation: 0, voidTime: 0)
    }
}
