import AeroWire
import AeroCDT
import AeroExp

/// Expression operations (op 7 EXP_READ, op 8 EXP_MODIFY): value `[expression, flags]`.
enum ExpOps {
    static let createOnly: Int64 = 1, updateOnly: Int64 = 2, allowDelete: Int64 = 4
    static let policyNoFail: Int64 = 8, evalNoFail: Int64 = 16

    /// Splits and compiles an op's value; PARAMETER for anything malformed.
    static func parse(_ value: UnsafeRawBufferPointer) -> Result<(Expression, Int64), ExpError> {
        var r = MPReader(value)
        guard let h = try? r.next(), h.kind == .list, h.children == 1 || h.children == 2,
              let expBytes = try? r.element() else { return .failure(ExpError(4, "bad expression op")) }
        var flags: Int64 = 0
        if h.children == 2 {
            guard let f = try? r.next(), f.kind == .int else { return .failure(ExpError(4, "bad expression flags")) }
            flags = f.int
        }
        do {
            return .success((try Expression.compile(expBytes), flags))
        } catch {
            return .failure(error)
        }
    }

    enum ReadOutcome { case value(ExpValue?), failed(UInt8) }

    /// EXP_READ: the value (nil = no result) or a result code.
    static func read<R: ExpRecord>(_ value: UnsafeRawBufferPointer, _ rec: R) -> ReadOutcome {
        switch parse(value) {
        case .failure(let e): return .failed(e.code)
        case .success(let (exp, flags)):
            guard flags & ~evalNoFail == 0 else { return .failed(ResultCode.parameter) }
            let v = exp.evaluate(rec)
            if v.isUnknown { return flags & evalNoFail != 0 ? .value(nil) : .failed(ResultCode.opNotApplicable) }
            return .value(v)
        }
    }

    /// A value as a reply op; false (nothing written) for nil.
    static func append(_ out: WireBuffer, op: UInt8, name: UnsafeRawBufferPointer, _ v: ExpValue) -> Bool {
        guard let (particle, bytes) = particle(v) else { return false }
        bytes.withUnsafeBytes { out.appendOp(op: op, particle: particle, name: name, value: $0) }
        return true
    }

    /// The stored particle form of a value; nil for nil/unknown.
    static func particle(_ v: ExpValue) -> (UInt8, [UInt8])? {
        switch v {
        case .unknown, .nil_: return nil
        case .bool(let b): return (ParticleType.bool, [b ? 1 : 0])
        case .int(let i): return (ParticleType.integer, withUnsafeBytes(of: i.bigEndian) { Array($0) })
        case .float(let d): return (ParticleType.float, withUnsafeBytes(of: d.bitPattern.bigEndian) { Array($0) })
        case .str(let b): return (ParticleType.string, b.array)
        case .blob(let b, let p): return (p, b.array)
        case .list(let b): return (ParticleType.list, b.array)
        case .map(let b): return (ParticleType.map, b.array)
        case .geo(let b): return (ParticleType.geojson, [0, 0, 0] + b.array)
        case .hll(let b): return (ParticleType.hll, b.array)
        }
    }
}

extension Engine {
    /// EXP_MODIFY on the record being written. Returns 0 or a result code.
    func expModify(_ op: OpView, _ body: UnsafeRawBufferPointer, ctx: TxnContext, view: WorkRecordView,
                   out: WireBuffer, reply: inout ReplyBuilder, rao: Bool) -> UInt8 {
        let name = body[span: op.name]
        switch ExpOps.parse(body[span: op.value]) {
        case .failure(let e):
            return e.code
        case .success(let (exp, flags)):
            let known: Int64 = ExpOps.createOnly | ExpOps.updateOnly | ExpOps.allowDelete | ExpOps.policyNoFail | ExpOps.evalNoFail
            guard flags & ~known == 0 else { return ResultCode.parameter }
            let noFail = flags & ExpOps.policyNoFail != 0
            let existing = ctx.findBin(name)
            defer { if rao { reply.nilOp(out, op: op.op, name: name) } }
            if existing != nil && flags & ExpOps.createOnly != 0 { return noFail ? 0 : ResultCode.binExists }
            if existing == nil && flags & ExpOps.updateOnly != 0 { return noFail ? 0 : ResultCode.binNotFound }
            let v = exp.evaluate(view)
            if v.isUnknown { return flags & ExpOps.evalNoFail != 0 ? 0 : ResultCode.opNotApplicable }
            guard let (particle, bytes) = ExpOps.particle(v) else {
                // A nil result: nothing to do for a missing bin; an existing bin is deleted
                // only when allowed.
                guard let i = existing else { return 0 }
                guard flags & ExpOps.allowDelete != 0 else { return noFail ? 0 : ResultCode.opNotApplicable }
                ctx.removeBin(at: i)
                return 0
            }
            let stored = bytes.withUnsafeBytes { ctx.stash($0) }
            if let i = existing {
                ctx.bins[i].particle = particle
                ctx.bins[i].value = stored
            } else {
                ctx.bins.append(WorkBin(name: name, particle: particle, value: stored))
            }
            return 0
        }
    }
}
