#if canImport(Glibc)
import Glibc
#endif
import CAeroSys
import AeroWire
import AeroEngine

/// Turns one complete frame into its reply: info text, admin (login) answers, data commands,
/// and compressed data commands.
final class RequestRouter {
    let server: Server
    let info: InfoHandler
    /// Inflated requests and compressed replies (reused).
    private let inflated = WireBuffer(capacity: 64 * 1024)
    private let scratch = WireBuffer(capacity: 64 * 1024)

    init(server: Server) {
        self.server = server
        self.info = InfoHandler(server: server)
    }

    /// Returns false when the connection must be closed.
    func handle(_ header: ProtoHeader, _ body: UnsafeRawBufferPointer, conn: Connection, ctx: TxnContext) -> Bool {
        switch header.type {
        case ProtoType.info:
            info.answer(body, conn: conn, out: conn.output)
            return true
        case ProtoType.admin:
            answerAdmin(conn.output)
            return true
        case ProtoType.message:
            dataCommand(body, conn: conn, ctx: ctx)
            return true
        case ProtoType.compressed:
            return compressedCommand(body, conn: conn, ctx: ctx)
        default:
            return false
        }
    }

    private func dataCommand(_ body: UnsafeRawBufferPointer, conn: Connection, ctx: TxnContext) {
        let start = conn.output.count
        let compress = body.count >= 2 && body[1] & Info1.compressResponse != 0
        switch server.engine.handle(body, out: conn.output, ctx: ctx) {
        case .replied:
            if compress { compressFrames(conn.output, from: start) }
        case .stream(let cursor):
            conn.stream = cursor
            conn.streamCompressed = compress
        }
    }

    /// Type 4: u64 inflated size, then zlib of a complete type-3 frame. The inflated size is
    /// bounded (zlib bombs) and the inner frame must be a well-formed type-3 message.
    private func compressedCommand(_ body: UnsafeRawBufferPointer, conn: Connection, ctx: TxnContext) -> Bool {
        guard body.count > 8 else { return false }
        let declared = Int(clamping: body.u64BE(0))
        guard declared >= 8 + ProtoLimits.msgHeaderSize, declared <= ProtoLimits.maxBody + 8 else { return false }
        inflated.reset()
        inflated.reserve(declared)
        let n = aero_inflate(body.baseAddress! + 8, body.count - 8, inflated.base.assumingMemoryBound(to: UInt8.self), declared)
        guard n == declared else {
            Log.debug("proto", "closing connection: compressed body did not inflate to its declared size")
            return false
        }
        inflated.count = n
        let inner = inflated.bytes
        let h = ProtoHeader(inner)
        guard h.version == 2, h.type == ProtoType.message, h.size == n - 8 else { return false }
        dataCommand(inner.slice(8, n - 8), conn: conn, ctx: ctx)
        return true
    }

    /// Replaces each complete frame from `from` to the end with its type-4 (zlib) form.
    func compressFrames(_ out: WireBuffer, from: Int) {
        scratch.reset()
        var at = from
        while at + 8 <= out.count {
            let frameLen = 8 + ProtoHeader(out.bytes.slice(at, 8)).size
            let bound = aero_deflate_bound(frameLen)
            let f = scratch.beginFrame(type: ProtoType.compressed)
            scratch.appendU64(UInt64(frameLen))
            scratch.reserve(bound)
            let n = aero_deflate((out.base + at).assumingMemoryBound(to: UInt8.self), frameLen,
                                 (scratch.base + scratch.count).assumingMemoryBound(to: UInt8.self), bound)
            if n < 0 {
                // Could not compress: send the frame as it is.
                scratch.truncate(to: f)
                scratch.append(out.base + at, frameLen)
            } else {
                scratch.count += n
                scratch.endFrame(at: f)
            }
            at += frameLen
        }
        out.truncate(to: from)
        out.append(scratch.bytes)
        scratch.reset()
    }

    /// Security is off: every admin message (login included) gets SECURITY_NOT_ENABLED (52),
    /// which every client treats as "continue without authentication".
    private func answerAdmin(_ out: WireBuffer) {
        let f = out.beginFrame(type: ProtoType.admin)
        _ = out.appendZeros(16)
        out.patchU8(ResultCode.secNotEnabled, at: f + 9)
        out.endFrame(at: f)
    }
}
