import AeroWire
import AeroExp

/// Batch-index protocol (batch-scan-query.md section 1): a parent message whose BATCH field
/// carries rows; each row runs as an independent record command and is answered with its
/// row index, then a LAST message ends the stream.
extension Engine {
    static let batchFrameTarget = 128 * 1024

    func handleBatch(_ body: UnsafeRawBufferPointer, _ parent: Message, out: WireBuffer, ctx: TxnContext) {
        func parentError(_ rc: UInt8) {
            out.appendHeaderOnlyReply(result: rc, info3: Info3.last)
        }
        guard let field = parent.batch, field.count >= 5 else { return parentError(ResultCode.parameter) }
        if let f = parent.filterExp {
            // A bad batch-level filter fails the whole batch before any row runs.
            do { _ = try Expression.compileFilter(body[span: f]) } catch { return parentError(error.code) }
        }
        let start = Int(field.start), end = start + Int(field.count)
        let nRows = Int(body.u32BE(start))
        if nRows == 0 { return parentError(ResultCode.parameter) }
        if batchMaxRequests > 0 && nRows > batchMaxRequests { return parentError(ResultCode.batchMaxRequests) }

        var frame = out.beginFrame(type: ProtoType.message)
        var at = start + 5
        var row = Message()
        var rowNS: Namespace?
        var havePrevious = false
        var trailer = ResultCode.ok
        for _ in 0..<nRows {
            guard at + 25 <= end else { trailer = ResultCode.parameter; break }
            let index = body.u32BE(at)
            let digestAt = at + 4
            let flags = body[at + 24]
            at += 25
            if flags & 0x01 != 0 {
                // REPEAT: same namespace/set/flags/ops as the previous row.
                guard havePrevious else { trailer = ResultCode.parameter; break }
            } else {
                guard let next = parseBatchRow(body, at: at, end: end, flags: flags, parent: parent) else {
                    trailer = ResultCode.parameter; break
                }
                row = next.msg
                at = next.end
                havePrevious = true
                rowNS = row.namespace.flatMap { namespace(body[span: $0]) }
            }
            row.digest = Span(start: digestAt, count: 20)
            if let ns = rowNS {
                let req = RecordRequest(body: body, msg: row, ns: ns)
                let rc = execute(req, out: out, ctx: ctx, batchIndex: index)
                if !rc.wroteReply {
                    out.appendMsgHeader(result: rc.code, generation: rc.generation, voidTime: rc.voidTime, transactionTTL: index)
                }
            } else {
                out.appendMsgHeader(result: ResultCode.namespace, transactionTTL: index)
            }
            if out.count - frame > Engine.batchFrameTarget {
                out.endFrame(at: frame)
                frame = out.beginFrame(type: ProtoType.message)
            }
        }
        out.appendMsgHeader(info3: Info3.last, result: trailer)
        out.endFrame(at: frame)
    }

    /// Parses one row body (after index, digest and flags).
    private func parseBatchRow(_ body: UnsafeRawBufferPointer, at start: Int, end: Int, flags: UInt8,
                               parent: Message) -> (msg: Message, end: Int)? {
        var at = start
        var m = Message()
        func need(_ n: Int) -> Bool { at + n <= end }
        guard need(1) else { return nil }
        m.info1 = body[at]; at += 1
        if flags & 0x02 != 0 {
            guard need(2) else { return nil }
            m.info2 = body[at]; m.info3 = body[at + 1]; at += 2
        } else {
            m.info3 = parent.info3 & 0xC0  // SC read bits come from the parent
        }
        if flags & 0x10 != 0 { guard need(1) else { return nil }; m.info4 = body[at]; at += 1 }
        if flags & 0x04 != 0 { guard need(2) else { return nil }; m.generation = UInt32(body.u16BE(at)); at += 2 }
        if flags & 0x08 != 0 { guard need(4) else { return nil }; m.recordTTL = body.u32BE(at); at += 4 }
        guard need(4) else { return nil }
        m.nFields = Int(body.u16BE(at)); m.nOps = Int(body.u16BE(at + 2)); at += 4
        m.info1 &= ~Info1.compressResponse
        guard let after = m.parseFieldsAndOps(body, at: at, end: end) else { return nil }
        if m.filterExp == nil { m.filterExp = parent.filterExp }
        return (m, after)
    }
}
