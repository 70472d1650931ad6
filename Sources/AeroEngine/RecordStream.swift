import AeroWire

/// A multi-frame reply the connection drains: scans and queries.
public protocol RecordStream: AnyObject {
    var done: Bool { get }
    /// Monotonic ms before which `fill` should not be called again (0 = now): throttling.
    var resumeAtMs: Int64 { get }
    /// Appends about `target` bytes of frames; the final call appends LAST.
    func fill(_ out: WireBuffer, ctx: TxnContext, target: Int)
    /// Whether `fill` may read a device file (then it runs off the event loop).
    var mayReadFile: Bool { get }
}

/// records_per_second: how many records a stream may send by now, and when it may go on.
public struct Throttle {
    let perSecond: UInt64
    let startMs = monotonicMs()
    var sent: UInt64 = 0
    public private(set) var resumeAtMs: Int64 = 0

    init(perSecond: UInt64) { self.perSecond = perSecond }

    /// Records allowed in this turn (a tenth of a second's worth, at least one).
    var allowance: UInt64 { perSecond == 0 ? .max : max(1, perSecond / 10) }
    /// Counts a turn's records and sets when the next turn may start.
    mutating func sent(_ n: UInt64) {
        guard perSecond > 0 else { return }
        sent += n
        resumeAtMs = startMs + Int64(sent * 1000 / perSecond)
    }
}

/// One record message of a scan or query: namespace, digest, set, key (and the bval of a
/// query) fields, then the bins. Returns false (and writes nothing) when a projection
/// matches no bin.
func emitRecord(_ out: WireBuffer, _ ns: Namespace, _ r: RecordRef, _ d: Digest, noBins: Bool,
                bins: [[UInt8]], bval: Int64?) -> Bool {
    let mark = out.count
    let hdr = out.appendMsgHeader(info1: noBins ? Info1.noBins : 0, result: ResultCode.ok,
                                  generation: UInt32(r.generation), voidTime: r.voidTime)
    var nFields: UInt16 = 2
    ns.nameBytes.withUnsafeBytes { out.appendField(FieldType.namespace, $0) }
    out.appendU32(21); out.append(FieldType.digest)
    out.reserve(20); d.write(to: out.base + out.count); out.count += 20
    if let s = ns.sets.byID(r.setID) {
        s.nameBytes.withUnsafeBytes { out.appendField(FieldType.set, $0) }
        nFields += 1
    }
    if r.keyType != 0 {
        out.appendU32(UInt32(r.keyLength + 2)); out.append(FieldType.key); out.append(r.keyType)
        out.append(r.key)
        nFields += 1
    }
    if let bval {
        out.appendU32(9); out.append(FieldType.bvalArray)
        var le = UInt64(bitPattern: bval).littleEndian
        withUnsafeBytes(of: &le) { out.append($0) }
        nFields += 1
    }
    var nOps = 0
    if !noBins {
        if bins.isEmpty {
            r.forEachBin { name, particle, value in
                out.appendBinOp(op: OpType.read, particle: particle, name: name, value: value); nOps += 1
            }
        } else {
            for b in bins {
                b.withUnsafeBytes { name in
                    if let v = r.findBin(name) {
                        out.appendBinOp(op: OpType.read, particle: v.particle, name: name, value: v.value); nOps += 1
                    }
                }
            }
            if nOps == 0 { out.truncate(to: mark); return false }
        }
    }
    out.patchU16(nFields, at: hdr + 18)
    out.patchU16(UInt16(truncatingIfNeeded: nOps), at: hdr + 20)
    return true
}
