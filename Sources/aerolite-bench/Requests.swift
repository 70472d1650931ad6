import AeroWire

/// Builds the put/get frames the load generator sends, like a real client would:
/// namespace, set and digest fields; one 100-byte blob bin for puts; GET_ALL for gets.
struct RequestFactory {
    let ns: [UInt8]
    let set: [UInt8] = Array("bench".utf8)
    let value: [UInt8]
    let bin: [UInt8] = Array("v".utf8)

    init(namespace: String, valueSize: Int) {
        ns = Array(namespace.utf8)
        value = (0..<valueSize).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    }

    /// A digest for key number `k` (opaque to the server; any 20 bytes will do).
    static func digest(_ k: Int) -> [UInt8] {
        var out = [UInt8]()
        var x = UInt64(k) &+ 0x9E37_79B9_7F4A_7C15
        for _ in 0..<3 {
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            x ^= x >> 31
            withUnsafeBytes(of: x) { out.append(contentsOf: $0) }
        }
        return Array(out.prefix(20))
    }

    func put(_ out: WireBuffer, key: Int) {
        let f = out.beginFrame(type: ProtoType.message)
        out.appendMsgHeader(info2: Info2.write, result: 0, transactionTTL: 1000, nFields: 3, nOps: 1)
        fields(out, key)
        bin.withUnsafeBytes { n in value.withUnsafeBytes { v in out.appendOp(op: OpType.write, particle: ParticleType.blob, name: n, value: v) } }
        out.endFrame(at: f)
    }

    func get(_ out: WireBuffer, key: Int) {
        let f = out.beginFrame(type: ProtoType.message)
        out.appendMsgHeader(info1: Info1.read | Info1.getAll, result: 0, transactionTTL: 1000, nFields: 3, nOps: 0)
        fields(out, key)
        out.endFrame(at: f)
    }

    private func fields(_ out: WireBuffer, _ key: Int) {
        ns.withUnsafeBytes { out.appendField(FieldType.namespace, $0) }
        set.withUnsafeBytes { out.appendField(FieldType.set, $0) }
        RequestFactory.digest(key).withUnsafeBytes { out.appendField(FieldType.digest, $0) }
    }
}
