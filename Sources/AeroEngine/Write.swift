#if canImport(Glibc)
import Glibc
#endif
import AeroWire
import AeroCDT
import AeroExp

extension Engine {
    /// put / touch / add / append / prepend / operate with writes.
    func writeRecord(_ req: RecordRequest, _ digest: Digest, out: WireBuffer, ctx: TxnContext, batchIndex: UInt32?,
                     filter: Expression?) -> TxnResult {
        let msg = req.msg, body = req.body, ns = req.ns
        let shape = validateWriteOps(msg, body)
        if shape.error != 0 { return .error(shape.error) }

        let setName = msg.set.map { body[span: $0] } ?? UnsafeRawBufferPointer(start: nil, count: 0)
        let p = ns.partition(for: digest)
        p.lock.lock(); defer { p.lock.unlock() }
        let now = clock.nowSec()
        let found = ns.lookup(p, digest, now: now)
        if found.readFailed { return .error(ResultCode.unknown) }
        let existing = found.live
        let oldGen = UInt32(existing?.generation ?? 0), oldVoid = existing?.voidTime ?? 0
        func fail(_ c: UInt8) -> TxnResult { .error(c, generation: oldGen, voidTime: oldVoid) }

        if let r = existing {
            if let k = msg.key, !keyMatches(r, body[span: k]) { return fail(ResultCode.keyMismatch) }
            // Only an existing record is filtered; a write that creates one proceeds.
            if let filter, !filter.passes(StoredRecordView(r: r, ns: ns, now: clock.nowMs())) {
                return fail(ResultCode.filteredOut)
            }
            let recSet = ns.sets.byID(r.setID)
            let sameSet = recSet.map { setName.equals($0.nameBytes) } ?? (setName.count == 0)
            if !sameSet { return fail(ResultCode.parameter) }
            if msg.info2 & Info2.createOnly != 0 { return fail(ResultCode.recordExists) }
            if msg.info2 & Info2.generation != 0 && msg.generation != oldGen { return fail(ResultCode.generation) }
            if msg.info2 & Info2.generationGT != 0 && msg.generation <= oldGen { return fail(ResultCode.generation) }
        } else {
            if msg.info3 & (Info3.updateOnly | Info3.replaceOnly) != 0 { return .error(ResultCode.notFound) }
            if shape.hasTouch { return .error(ResultCode.notFound) }
        }
        guard let newVoid = ns.voidTime(forTTL: msg.recordTTL, existing: existing?.voidTime, now: now) else {
            return fail(ResultCode.parameter)
        }
        if ns.ttlForbidden(ttl: msg.recordTTL, voidTime: newVoid) { return fail(ResultCode.forbidden) }
        if ns.isStopWrites {
            ns.stopWritesCount.add(1, ordering: .relaxed)
            return fail(ResultCode.outOfSpace)
        }

        // Start from the stored bins unless this write replaces them.
        let replacing = msg.info3 & (Info3.createOrReplace | Info3.replaceOnly) != 0
        if let r = existing, !replacing {
            r.forEachBin { name, particle, value in ctx.bins.append(WorkBin(name: name, particle: particle, value: value)) }
        }

        var reply = ReplyBuilder(out, batchIndex: batchIndex)
        let rao = msg.info2 & Info2.respondAllOps != 0
        let storedKey = existing.map { ($0.keyType, $0.key) } ?? (msg.key.map { k -> (UInt8, UnsafeRawBufferPointer) in
            let kb = body[span: k]
            return kb.count >= 1 ? (kb[0], kb.slice(1, kb.count - 1)) : (0, kb)
        } ?? (0, UnsafeRawBufferPointer(start: nil, count: 0)))
        let view = WorkRecordView(ctx: ctx, existing: existing, ns: ns,
                                  setName: existing.map { ns.sets.setNameBytes($0.setID) } ?? setName,
                                  digestTail: digest.w2, now: clock.nowMs(), keyType: storedKey.0, key: storedKey.1)
        var failure: UInt8 = 0
        msg.forEachOp(body) { op in
            guard failure == 0 else { return }
            failure = applyOp(op, body, ctx: ctx, out: out, reply: &reply, rao: rao, view: view)
        }
        if failure != 0 { reply.abandon(out); return fail(failure) }

        if ctx.bins.count > 32767 { reply.abandon(out); return fail(ResultCode.parameter) }
        if ctx.bins.isEmpty {
            // A write that leaves no bins deletes the record.
            if let r = existing {
                let rc = ns.dropRecord(p, digest, image: r)
                if rc != 0 { reply.abandon(out); return fail(rc) }
            }
            return reply.finish(out, generation: 0, voidTime: 0)
        }

        // Key: keep the stored one, else store the one sent.
        var keyType: UInt8 = 0
        var key = UnsafeRawBufferPointer(start: nil, count: 0)
        if let r = existing, r.keyType != 0 {
            keyType = r.keyType; key = r.key
        } else if let k = msg.key, k.count >= 1 {
            let kb = body[span: k]
            if kb[0] == ParticleType.integer && kb.count != 9 { reply.abandon(out); return fail(ResultCode.unsupportedFeature) }
            keyType = kb[0]; key = kb.slice(1, kb.count - 1)
        }

        let size = RecordWriter.size(keyType: keyType, keyLength: key.count, bins: ctx.bins)
        // The real server compares its flat size plus a 4-byte end mark.
        if size + 4 > ns.config.maxRecordSize { reply.abandon(out); return fail(ResultCode.recordTooBig) }

        var setID: UInt16 = existing?.setID ?? 0
        if existing == nil && setName.count > 0 {
            let created = ns.sets.create(setName)
            guard let s = created.set else { reply.abandon(out); return fail(created.rc) }
            setID = s.id
        }
        let gen = existing.map { nextGeneration($0.generation) } ?? 1
        let raw = RecordWriter.make(digest: digest, generation: gen, setID: setID, voidTime: newVoid,
                                    lastUpdateMs: clock.nowMs(), keyType: keyType, key: key, bins: ctx.bins, size: size)
        let rec = RecordRef(raw)
        // Durable first (a device appends the image), then visible.
        let stored = ns.storeRecord(digest, raw, size: size)
        guard let entry = stored.entry else {
            free(raw)
            reply.abandon(out)
            return fail(stored.rc)
        }
        let old = p.table.put(digest, entry)
        if let r = existing {
            ns.account(r, sign: -1)
        } else if let old {
            // A doomed record whose delete could not be written is replaced now.
            ns.account(RecordRef(old), sign: -1)
            if ns.sindexes.count.load(ordering: .relaxed) > 0, let img = ns.image(old, digest) {
                ns.indexRecord(old: img, new: nil, digest)
            }
        }
        ns.account(rec, sign: 1)
        ns.indexRecord(old: existing, new: rec, digest)
        // Only now may the old entry go: work bins pointed into it (or into its image).
        if let old { ns.retire(old) }
        if entry != raw { free(raw) }
        return reply.finish(out, generation: UInt32(gen), voidTime: newVoid)
    }

    struct WriteShape {
        var error: UInt8 = 0
        var hasTouch = false
    }

    /// Policy checks the real server makes before touching data (write_master_policies).
    func validateWriteOps(_ msg: Message, _ body: UnsafeRawBufferPointer) -> WriteShape {
        var shape = WriteShape()
        if msg.nOps == 0 || msg.nOps > 32768 { shape.error = ResultCode.parameter; return shape }
        let replacing = msg.info3 & (Info3.createOrReplace | Info3.replaceOnly) != 0
        var readAll = 0, producesResult = 0
        msg.forEachOp(body) { op in
            guard shape.error == 0 else { return }
            // Unknown op types are found while applying (after the record lookup), as on the
            // real server, so their error reply carries the record's metadata.
            guard OpType.isKnown(op.op) else { return }
            if op.name.count > 15 { shape.error = ResultCode.binName; return }
            switch op.op {
            case OpType.touch: shape.hasTouch = true
            case OpType.read:
                if op.name.count == 0 { readAll += 1 } else { producesResult += 1 }
            case OpType.bitRead, OpType.bitModify, OpType.hllRead, OpType.hllModify:
                shape.error = ResultCode.unsupportedFeature; return
            default: break
            }
            if OpType.isRead(op.op) && msg.info1 & Info1.read == 0 { shape.error = ResultCode.parameter; return }
            if replacing {
                let binDelete = op.op == OpType.write && op.particle == ParticleType.null
                if op.op == OpType.touch || binDelete || op.op == OpType.incr || op.op == OpType.append
                    || op.op == OpType.prepend || op.op == OpType.deleteAll || op.op == OpType.cdtModify {
                    shape.error = ResultCode.parameter
                }
            }
        }
        if shape.error != 0 { return shape }
        if readAll > 1 || (readAll == 1 && (producesResult > 0 || msg.info2 & Info2.respondAllOps != 0)) {
            shape.error = ResultCode.parameter
        }
        if msg.info1 & Info1.getAll != 0 && readAll == 0 { shape.error = ResultCode.parameter }
        return shape
    }

    /// Applies one op to the work bins, appending its result (if any) to the reply.
    func applyOp(_ op: OpView, _ body: UnsafeRawBufferPointer, ctx: TxnContext, out: WireBuffer,
                 reply: inout ReplyBuilder, rao: Bool, view: WorkRecordView) -> UInt8 {
        let name = body[span: op.name]
        let value = body[span: op.value]
        switch op.op {
        case OpType.read:
            if name.count == 0 {
                for b in ctx.bins { reply.bin(out, op: OpType.read, particle: b.particle, name: b.name, value: b.value) }
            } else if let i = ctx.findBin(name) {
                let b = ctx.bins[i]
                reply.bin(out, op: OpType.read, particle: b.particle, name: name, value: b.value)
            } else if rao {
                reply.nilOp(out, op: OpType.read, name: name)
            }
            return 0
        case OpType.write:
            if op.particle == ParticleType.null {
                if let i = ctx.findBin(name) { ctx.removeBin(at: i) }
            } else {
                guard let v = normalizedValue(op.particle, value, ctx) else { return ResultCode.parameter }
                setBin(ctx, name, op.particle, v)
            }
        case OpType.incr:
            let rc = increment(ctx, name, op.particle, value)
            if rc != 0 { return rc }
        case OpType.append, OpType.prepend:
            let rc = concatenate(ctx, name, op.particle, value, append: op.op == OpType.append)
            if rc != 0 { return rc }
        case OpType.touch:
            return 0  // TTL was applied for the whole record; TOUCH never has a result entry
        case OpType.deleteAll:
            ctx.bins.removeAll(keepingCapacity: true)
        case OpType.expRead:
            switch ExpOps.read(body[span: op.value], view) {
            case .failed(let c): return c
            case .value(let v):
                if let v, ExpOps.append(out, op: op.op, name: name, v) { reply.nOps += 1 }
                else if rao { reply.nilOp(out, op: op.op, name: name) }
            }
            return 0
        case OpType.expModify:
            return expModify(op, body, ctx: ctx, view: view, out: out, reply: &reply, rao: rao)
        case OpType.cdtRead, OpType.cdtModify:
            let i = ctx.findBin(name)
            let b = i.map { ctx.bins[$0] }
            switch Engine.cdt(op, body, particle: b?.particle, value: b?.value) {
            case .failure(let e):
                return e.code
            case .success(let o):
                if let nv = o.newValue {
                    let stored = nv.withUnsafeBytes { ctx.stash($0) }
                    setBin(ctx, name, Engine.collectionParticle(nv), stored)
                }
                reply.cdtResult(out, op: op.op, name: name, result: o.result, rao: rao)
            }
            return 0
        default:
            return ResultCode.parameter
        }
        if rao { reply.nilOp(out, op: op.op, name: name) }
        return 0
    }

    private func setBin(_ ctx: TxnContext, _ name: UnsafeRawBufferPointer, _ particle: UInt8, _ v: UnsafeRawBufferPointer) {
        if let i = ctx.findBin(name) {
            ctx.bins[i].particle = particle
            ctx.bins[i].value = v
        } else {
            ctx.bins.append(WorkBin(name: name, particle: particle, value: v))
        }
    }

    /// Checks a written value and brings it to its stored form (integers are always 8 bytes).
    private func normalizedValue(_ particle: UInt8, _ v: UnsafeRawBufferPointer, _ ctx: TxnContext) -> UnsafeRawBufferPointer? {
        guard ParticleType.isStorable(particle) else { return nil }
        switch particle {
        case ParticleType.integer:
            guard let x = decodeInt(v) else { return nil }
            return stashInt(ctx, x)
        case ParticleType.float: return v.count == 8 ? v : nil
        case ParticleType.bool: return v.count == 1 ? v : nil
        case ParticleType.list, ParticleType.map:
            // Stored the way the real server keeps it (maps in key order, ordered lists sorted).
            guard let stored = try? Normalize.stored(v) else { return nil }
            let kindMatches = Engine.collectionParticle(stored) == particle
            return kindMatches ? stored.withUnsafeBytes { ctx.stash($0) } : nil
        default: return v
        }
    }

    private func increment(_ ctx: TxnContext, _ name: UnsafeRawBufferPointer, _ particle: UInt8, _ v: UnsafeRawBufferPointer) -> UInt8 {
        switch particle {
        case ParticleType.integer:
            guard let add = decodeInt(v) else { return ResultCode.parameter }
            if let i = ctx.findBin(name) {
                guard ctx.bins[i].particle == ParticleType.integer else { return ResultCode.incompatibleType }
                let cur = Int64(bitPattern: ctx.bins[i].value.u64BE(0))
                ctx.bins[i].value = stashInt(ctx, cur &+ add)
            } else {
                ctx.bins.append(WorkBin(name: name, particle: particle, value: stashInt(ctx, add)))
            }
        case ParticleType.float:
            guard v.count == 8 else { return ResultCode.parameter }
            let add = Double(bitPattern: v.u64BE(0))
            if let i = ctx.findBin(name) {
                guard ctx.bins[i].particle == ParticleType.float else { return ResultCode.incompatibleType }
                let cur = Double(bitPattern: ctx.bins[i].value.u64BE(0))
                ctx.bins[i].value = stashU64(ctx, (cur + add).bitPattern)
            } else {
                ctx.bins.append(WorkBin(name: name, particle: particle, value: v))
            }
        default:
            return ResultCode.incompatibleType
        }
        return 0
    }

    private func concatenate(_ ctx: TxnContext, _ name: UnsafeRawBufferPointer, _ particle: UInt8,
                             _ v: UnsafeRawBufferPointer, append: Bool) -> UInt8 {
        guard particle == ParticleType.string || ParticleType.isBlobFamily(particle) else {
            return ResultCode.incompatibleType
        }
        guard let i = ctx.findBin(name) else {
            ctx.bins.append(WorkBin(name: name, particle: particle, value: v))
            return 0
        }
        let cur = ctx.bins[i]
        guard cur.particle == particle else { return ResultCode.incompatibleType }
        let n = cur.value.count + v.count
        let dst = ctx.arena.allocate(max(n, 1))
        let (first, second) = append ? (cur.value, v) : (v, cur.value)
        if first.count > 0 { memcpy(dst, first.baseAddress!, first.count) }
        if second.count > 0 { memcpy(dst + first.count, second.baseAddress!, second.count) }
        ctx.bins[i].value = UnsafeRawBufferPointer(start: dst, count: n)
        return 0
    }

    private func stashInt(_ ctx: TxnContext, _ x: Int64) -> UnsafeRawBufferPointer {
        stashU64(ctx, UInt64(bitPattern: x))
    }
    private func stashU64(_ ctx: TxnContext, _ x: UInt64) -> UnsafeRawBufferPointer {
        let p = ctx.arena.allocate(8)
        p.storeBytes(of: x.bigEndian, as: UInt64.self)
        return UnsafeRawBufferPointer(start: p, count: 8)
    }
}

/// Integers arrive as 1, 2, 4 or 8 big-endian bytes (short forms are not sign-extended).
@inline(__always) func decodeInt(_ v: UnsafeRawBufferPointer) -> Int64? {
    switch v.count {
    case 8: return Int64(bitPattern: v.u64BE(0))
    case 4: return Int64(v.u32BE(0))
    case 2: return Int64(v.u16BE(0))
    case 1: return Int64(v[0])
    default: return nil
    }
}
