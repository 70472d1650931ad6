import AeroCDT

/// CALL of a list/map operation inside an expression: the op list is rebuilt with its
/// sub-expressions evaluated, then run by the CDT engine on the target value. With
/// MODIFY_LOCAL (0x40) a modify op works on a copy and the call returns the container.
enum ExpCall {
    static func run<R: ExpRecord>(_ e: Expression, _ n: ExpNode, _ rec: R, _ env: inout [ExpValue]) -> ExpValue {
        let argc = Int(n.count) - 1
        let target = e.eval(e.kid(n, argc), rec, &env)
        let targetBytes: ExpBytes
        switch target {
        case .list(let b), .map(let b): targetBytes = b
        default: return .unknown
        }
        var w = MPWriter()
        var r = MPReader(n.name)
        guard let h = try? r.next(), let c = try? r.next() else { return .unknown }
        w.appendArrayHeader(h.children)
        w.appendInt(c.int)
        var code = c.int
        var nargs = h.children - 1
        if c.int == 0xff {
            let start = r.at
            guard (try? r.skip()) != nil, let inner = try? r.next(), let ic = try? r.next() else { return .unknown }
            w.appendRaw(UnsafeRawBufferPointer(rebasing: r.buf[start..<(r.at - inner.headerSize - ic.headerSize - ic.payloadSize)]))
            w.appendArrayHeader(inner.children)
            w.appendInt(ic.int)
            code = ic.int
            nargs = inner.children - 1
        }
        guard nargs == argc else { return .unknown }
        for k in 0..<argc {
            let node = e.nodes[e.kid(n, k)]
            if node.op == ExpOp.literal && node.name.count > 0 {
                w.appendRaw(node.name)
            } else {
                guard let m = e.eval(e.kid(n, k), rec, &env).msgpack() else { return .unknown }
                w.appendRaw(m)
            }
        }
        let isList = code < 64
        let modify = isList ? ListOps.isModify(Int(code)) : MapOps.isModify(Int(code))
        let local = n.int & 0x40 != 0
        guard modify == local else { return .unknown }
        let outcome: CDTExecutor.Outcome
        do {
            outcome = try w.bytes.withBytes { (p: UnsafeRawBufferPointer) throws(CDTError) -> CDTExecutor.Outcome in
                try targetBytes.with { (t: UnsafeRawBufferPointer) -> Result<CDTExecutor.Outcome, CDTError> in
                    Result { () throws(CDTError) -> CDTExecutor.Outcome in
                        try CDTExecutor.run(payload: p, bin: t, binIsCollection: true, modify: modify)
                    }
                }.get()
            }
        } catch {
            return .unknown
        }
        let value: ExpValue?
        if local {
            let bytes = outcome.newValue ?? targetBytes.array
            value = (bytes.first.map { ($0 & 0xf0) == 0x80 || $0 == 0xde || $0 == 0xdf } ?? false) ? .map(.owned(bytes)) : .list(.owned(bytes))
        } else {
            value = outcome.result.flatMap { res in res.withUnsafeBytes { ExpValue.fromMsgpack($0, owned: true) } }
        }
        guard let v = value, v.type == n.type || n.type == .any else { return .unknown }
        return v
    }
}
