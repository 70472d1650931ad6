import AeroWire

extension Engine {
    /// UDF apply: execution is not built yet, so every call fails the way the real server
    /// fails a call it cannot run: UDF error 100 with a FAILURE bin.
    func applyUDF(_ req: RecordRequest, _ digest: Digest, out: WireBuffer, batchIndex: UInt32?) -> TxnResult {
        let msg = req.msg, body = req.body
        guard let fileSpan = msg.udfFilename, let fnSpan = msg.udfFunction else { return .error(ResultCode.parameter) }
        let module = String(decoding: body[span: fileSpan], as: UTF8.self)
        _ = fnSpan
        // The real server's texts: a module it cannot load, or a function the module lacks.
        // Without a Lua runtime every function counts as missing.
        let text = udf.get(module + ".lua") == nil ? "UDF: Execution Error 1" : "function not found"
        var reply = ReplyBuilder(out, batchIndex: batchIndex)
        let failure: [UInt8] = Array("FAILURE".utf8)
        failure.withUnsafeBytes { name in
            Array(text.utf8).withUnsafeBytes { v in
                reply.op(out, op: OpType.read, particle: ParticleType.string, name: name, value: v)
            }
        }
        return reply.finish(out, result: ResultCode.udfExecution, generation: 0, voidTime: 0)
    }
}
