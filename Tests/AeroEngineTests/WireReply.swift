/// One AS_MSG reply decoded for assertions: result code, metadata and bins by name.
struct WireReply {
    var result: UInt8
    var generation: UInt32
    var voidTime: UInt32
    var bins: [String: [UInt8]]
    var info3: UInt8

    /// Decodes the message header at `start` (after the 8-byte proto header), skips its fields
    /// and reads its ops.
    static func decode(_ b: [UInt8], at start: Int) -> WireReply {
        func u32(_ i: Int) -> UInt32 { UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3]) }
        let nFields = Int(b[start + 18]) << 8 | Int(b[start + 19])
        let nOps = Int(b[start + 20]) << 8 | Int(b[start + 21])
        var at = start + 22
        for _ in 0..<nFields { at += 4 + Int(u32(at)) }
        var bins: [String: [UInt8]] = [:]
        for _ in 0..<nOps {
            let size = Int(u32(at)), nameLen = Int(b[at + 7])
            bins[String(decoding: b[(at + 8)..<(at + 8 + nameLen)], as: UTF8.self)] = Array(b[(at + 8 + nameLen)..<(at + 4 + size)])
            at += 4 + size
        }
        return WireReply(result: b[start + 5], generation: u32(start + 6), voidTime: u32(start + 10), bins: bins, info3: b[start + 3])
    }
}
