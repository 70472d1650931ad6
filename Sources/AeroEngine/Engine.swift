import AeroWire
import AeroExp
import Synchronization

/// The data side of the server: namespaces, the clock, and the entry point that turns
/// one AS_MSG into its reply. Knows nothing about sockets.
public final class Engine: @unchecked Sendable {
    public let namespaces: [Namespace]
    public let clock: Clock
    public let udf: UDFRegistry
    public let jobs = JobTable()
    /// Serializes writes of the truncate cut-off file.
    let truncateSaveLock = Lock()
    /// Largest number of rows one batch may carry (batch-max-requests; 0 = no limit).
    public var batchMaxRequests = 0

    public init(namespaces: [NamespaceConfig], clock: Clock, udf: UDFRegistry) {
        self.namespaces = namespaces.map { Namespace(config: $0) }
        self.clock = clock
        self.udf = udf
    }

    @inline(__always) public func namespace(_ name: UnsafeRawBufferPointer) -> Namespace? {
        for ns in namespaces where name.equals(ns.nameBytes) { return ns }
        return nil
    }
    public func namespace(named: String) -> Namespace? {
        namespaces.first { $0.name == named }
    }

    /// Could answering this message read a device file (so it belongs off the event loop)?
    /// A batch may name any namespace; a compressed one (`inflated == false`) cannot be read yet.
    public func mayReadFile(_ body: UnsafeRawBufferPointer, inflated: Bool = true) -> Bool {
        var any = false
        for ns in namespaces where ns.device?.readsMayHitFile == true { any = true }
        guard any else { return false }
        guard inflated, let msg = Message.parse(body) else { return inflated == false }
        if msg.info1 & Info1.batch != 0 { return true }
        guard let span = msg.namespace, let ns = namespace(body[span: span]),
              let dev = ns.device, dev.readsMayHitFile else { return false }
        // A scan or query reads nothing until its stream fills (which decides for itself).
        guard let ds = msg.digest, ds.count == 20 else { return false }
        // One record: only if it exists and its image is in a block no longer in memory.
        let d = Digest(body[span: ds])
        let p = ns.partition(for: d)
        // A busy partition (a scan reading it from the file, say) is not waited for here.
        guard p.lock.tryLock() else { return true }
        defer { p.lock.unlock() }
        guard let stub = p.table.get(d) else { return false }
        return !dev.isResident(block: RecordStub.block(stub))
    }

    /// What a message turned into: a finished reply, or a stream the connection drains.
    public enum Outcome {
        case replied
        case stream(any RecordStream)
    }

    /// Handles one AS_MSG body (already inflated). Writes the reply frame(s) into `out`.
    public func handle(_ body: UnsafeRawBufferPointer, out: WireBuffer, ctx: TxnContext) -> Outcome {
        guard let msg = Message.parse(body) else {
            // A batch or scan client reads until a LAST message: end its stream with the error.
            let streamed = body.count >= 2 && (body[1] & Info1.batch != 0)
            out.appendHeaderOnlyReply(result: ResultCode.parameter, info3: streamed ? Info3.last : 0)
            return .replied
        }
        if msg.info1 & Info1.batch != 0 {
            handleBatch(body, msg, out: out, ctx: ctx)
            return .replied
        }
        guard let nsSpan = msg.namespace, let ns = namespace(body[span: nsSpan]) else {
            out.appendHeaderOnlyReply(result: ResultCode.namespace)
            return .replied
        }
        guard msg.digest != nil else {
            return startScan(body, msg, ns, out: out)
        }
        singleRecord(body, msg, ns, out: out, ctx: ctx)
        return .replied
    }

    /// Runs a single-record command and writes its one reply frame.
    func singleRecord(_ body: UnsafeRawBufferPointer, _ msg: Message, _ ns: Namespace,
                      out: WireBuffer, ctx: TxnContext) {
        let req = RecordRequest(body: body, msg: msg, ns: ns)
        let f = out.beginFrame(type: ProtoType.message)
        let rc = execute(req, out: out, ctx: ctx, batchIndex: nil)
        if !rc.wroteReply {
            out.truncate(to: f + 8)
            out.appendMsgHeader(result: rc.code, generation: rc.generation, voidTime: rc.voidTime)
        }
        out.endFrame(at: f)
    }

    /// One record command (single or batch row): validated, then run under the partition lock.
    /// Writes one AS_MSG (no proto header) into `out`, or returns the error code.
    func execute(_ req: RecordRequest, out: WireBuffer, ctx: TxnContext, batchIndex: UInt32?) -> TxnResult {
        let msg = req.msg
        if msg.hasMRTField || msg.info4 & 0x1F != 0 { return .error(ResultCode.enterpriseOnly) }
        guard let dspan = msg.digest, dspan.count == 20 else { return .error(ResultCode.parameter) }
        if let s = msg.set, s.count > 63 { return .error(ResultCode.parameter) }
        var filter: Expression? = nil
        if let f = msg.filterExp {
            do { filter = try Expression.compileFilter(req.body[span: f]) } catch { return .error(error.code) }
        }
        let digest = Digest(req.body[span: dspan])
        ctx.reset()
        defer { ctx.reset() }
        if msg.info2 & Info2.write != 0 {
            if msg.info2 & Info2.delete != 0 {
                return deleteRecord(req, digest, out: out, batchIndex: batchIndex, filter: filter)
            }
            if msg.udfFilename != nil {
                return applyUDF(req, digest, out: out, batchIndex: batchIndex)
            }
            return writeRecord(req, digest, out: out, ctx: ctx, batchIndex: batchIndex, filter: filter)
        }
        if msg.info1 & Info1.read != 0 {
            return readRecord(req, digest, out: out, ctx: ctx, batchIndex: batchIndex, filter: filter)
        }
        return .error(ResultCode.parameter)
    }
}

/// A record command and where its parts live.
struct RecordRequest {
    let body: UnsafeRawBufferPointer
    let msg: Message
    let ns: Namespace
}

/// The outcome of a record command: either its reply message is written, or an error code
/// with the record's generation/void-time to report.
struct TxnResult {
    var code: UInt8
    var wroteReply: Bool
    var generation: UInt32 = 0
    var voidTime: UInt32 = 0
    static let replied = TxnResult(code: ResultCode.ok, wroteReply: true)
    static func error(_ c: UInt8, generation: UInt32 = 0, voidTime: UInt32 = 0) -> TxnResult {
        TxnResult(code: c, wroteReply: false, generation: generation, voidTime: voidTime)
    }
}
