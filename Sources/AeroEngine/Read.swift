import AeroWire
import AeroCDT
import AeroExp

extension Engine {
    /// get / exists / select / read-only operate.
    func readRecord(_ req: RecordRequest, _ digest: Digest, out: WireBuffer, ctx: TxnContext, batchIndex: UInt32?,
                    filter: Expression?) -> TxnResult {
        let msg = req.msg, body = req.body, ns = req.ns
        let p = ns.partition(for: digest)
        p.lock.lock(); defer { p.lock.unlock() }
        let now = clock.nowSec()
        let found = ns.lookup(p, digest, now: now)
        if found.readFailed { return .error(ResultCode.unknown) }
        guard let r = found.live else {
            return .error(ResultCode.notFound, generation: found.doomedGeneration, voidTime: found.doomedVoidTime)
        }
        let voidTime = r.voidTime
        let gen = UInt32(r.generation)
        // The real server checks ops after finding the record, so errors carry its metadata.
        func fail(_ c: UInt8) -> TxnResult { .error(c, generation: gen, voidTime: voidTime) }
        let view = StoredRecordView(r: r, ns: ns, now: clock.nowMs())
        if let filter, !filter.passes(view) { return fail(ResultCode.filteredOut) }
        if let k = msg.key, !keyMatches(r, body[span: k]) { return fail(ResultCode.keyMismatch) }
        let touchPct = msg.recordTTL == 0 ? ns.config.defaultReadTouchTTLPct : msg.recordTTL
        if touchPct != 0xFFFF_FFFF && touchPct > 100 { return fail(ResultCode.parameter) }
        var invalid: UInt8 = 0
        msg.forEachOp(body) { op in
            if invalid != 0 { return }
            if !OpType.isKnown(op.op) || !OpType.isRead(op.op) { invalid = ResultCode.parameter; return }
            if op.name.count > 15 { invalid = ResultCode.binName; return }
            if op.op == OpType.bitRead || op.op == OpType.hllRead { invalid = ResultCode.unsupportedFeature }
        }
        if invalid != 0 { return fail(invalid) }
        var reply = ReplyBuilder(out, batchIndex: batchIndex)
        if msg.info1 & Info1.noBins == 0 {
            if msg.nOps == 0 {
                reply.allBins(out, r)
            } else {
                let rao = msg.info2 & Info2.respondAllOps != 0
                var failure: UInt8 = 0
                msg.forEachOp(body) { op in
                    guard failure == 0 else { return }
                    let name = body[span: op.name]
                    if op.op == OpType.expRead {
                        switch ExpOps.read(body[span: op.value], view) {
                        case .failed(let c): failure = c
                        case .value(let v):
                            if let v, ExpOps.append(out, op: op.op, name: name, v) { reply.nOps += 1 }
                            else if rao { reply.nilOp(out, op: op.op, name: name) }
                        }
                    } else if op.op == OpType.cdtRead {
                        let b = r.findBin(name)
                        switch Engine.cdt(op, body, particle: b?.particle, value: b?.value) {
                        case .success(let o): reply.cdtResult(out, op: op.op, name: name, result: o.result, rao: rao)
                        case .failure(let e): failure = e.code
                        }
                    } else if name.count == 0 {
                        reply.allBins(out, r)
                    } else if let b = r.findBin(name) {
                        reply.bin(out, op: OpType.read, particle: b.particle, name: name, value: b.value)
                    } else if rao {
                        reply.nilOp(out, op: OpType.read, name: name)
                    }
                }
                if failure != 0 { reply.abandon(out); return fail(failure) }
            }
        }
        if touchPct >= 1 && touchPct <= 100 && readTouch(r, pct: touchPct, now: now) {
            ns.rewriteHeader(p, digest, r)
        }
        return reply.finish(out, generation: gen, voidTime: voidTime)
    }

    /// Read-touch: a record within `pct` percent of the end of its life gets its TTL reset.
    /// The generation does not change; this read still reports the old void time.
    /// Changes the record's header; true when it did (a device record is then written again).
    private func readTouch(_ r: RecordRef, pct: UInt32, now: UInt32) -> Bool {
        let v = r.voidTime
        guard v != 0 else { return false }
        let lutSec = UInt32(truncatingIfNeeded: r.lastUpdateMs / 1000)
        guard v > lutSec else { return false }
        let orig = v - lutSec
        let threshold = v - UInt32(UInt64(orig) * UInt64(pct) / 100)
        guard now >= threshold else { return false }
        r.voidTime = now &+ orig
        r.lastUpdateMs = clock.nowMs()
        return true
    }

    /// A sent KEY must equal the stored one, when one is stored.
    func keyMatches(_ r: RecordRef, _ sent: UnsafeRawBufferPointer) -> Bool {
        guard r.keyType != 0, sent.count >= 1 else { return true }
        return sent[0] == r.keyType && sent.slice(1, sent.count - 1).elementsEqual(r.key)
    }
}
