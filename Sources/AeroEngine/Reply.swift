import AeroWire
import AeroCDT

/// Writing one reply AS_MSG whose op count and metadata are known only at the end.
struct ReplyBuilder {
    let at: Int
    var nOps: Int = 0

    init(_ out: WireBuffer, batchIndex: UInt32?) {
        at = out.appendMsgHeader(result: 0, transactionTTL: batchIndex ?? 0)
    }

    @inline(__always) mutating func op(_ out: WireBuffer, op: UInt8, particle: UInt8,
                                       name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        out.appendOp(op: op, particle: particle, name: name, value: value)
        nOps += 1
    }
    /// A stored bin's value (lists and maps shown as clients see them).
    @inline(__always) mutating func bin(_ out: WireBuffer, op: UInt8, particle: UInt8,
                                        name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        out.appendBinOp(op: op, particle: particle, name: name, value: value)
        nOps += 1
    }
    /// A CDT op's result; nil results write nothing unless respond-all-ops asks for a nil entry.
    @inline(__always) mutating func cdtResult(_ out: WireBuffer, op: UInt8, name: UnsafeRawBufferPointer,
                                              result: [UInt8]?, rao: Bool) {
        if let result, CDTResult.append(out, op: op, name: name, result: result) {
            nOps += 1
        } else if rao {
            nilOp(out, op: op, name: name)
        }
    }
    /// A nil result (particle 0, no value).
    @inline(__always) mutating func nilOp(_ out: WireBuffer, op: UInt8, name: UnsafeRawBufferPointer) {
        out.appendOp(op: op, particle: 0, name: name, value: UnsafeRawBufferPointer(start: nil, count: 0))
        nOps += 1
    }

    func finish(_ out: WireBuffer, result: UInt8 = 0, generation: UInt32, voidTime: UInt32, info1: UInt8 = 0) -> TxnResult {
        out.patchU8(info1, at: at + 1)
        out.patchU8(result, at: at + 5)
        out.patchU32(generation, at: at + 6)
        out.patchU32(voidTime, at: at + 10)
        out.patchU16(UInt16(truncatingIfNeeded: nOps), at: at + 20)
        return .replied
    }
    /// Undoes everything written since `init` (an error will be reported instead).
    func abandon(_ out: WireBuffer) { out.truncate(to: at) }
}

extension ReplyBuilder {
    /// Every bin of a stored record, as READ ops.
    mutating func allBins(_ out: WireBuffer, _ r: RecordRef) {
        var n = 0
        r.forEachBin { name, particle, value in
            out.appendBinOp(op: OpType.read, particle: particle, name: name, value: value)
            n += 1
        }
        nOps += n
    }
}
