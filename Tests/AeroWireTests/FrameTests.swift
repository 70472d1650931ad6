import XCTest
import AeroWire

final class FrameTests: XCTestCase {
    func testProtoHeaderRoundTrip() {
        let raw = ProtoHeader.encode(type: ProtoType.message, size: 0x0102_0304_0506)
        var bytes = [UInt8](repeating: 0, count: 8)
        withUnsafeBytes(of: raw.bigEndian) { for i in 0..<8 { bytes[i] = $0[i] } }
        XCTAssertEqual(bytes, [2, 3, 1, 2, 3, 4, 5, 6])
        let h = bytes.withUnsafeBytes { ProtoHeader($0) }
        XCTAssertEqual(h, ProtoHeader(version: 2, type: 3, size: 0x0102_0304_0506))
    }

    func testAcceptableHeaders() {
        XCTAssertTrue(ProtoHeader(version: 2, type: 1, size: 10).isAcceptable)
        XCTAssertTrue(ProtoHeader(version: 0, type: 2, size: 10).isAcceptable)   // admin may use version 0
        XCTAssertFalse(ProtoHeader(version: 0, type: 3, size: 10).isAcceptable)
        XCTAssertFalse(ProtoHeader(version: 2, type: 0, size: 10).isAcceptable)
        XCTAssertFalse(ProtoHeader(version: 2, type: 5, size: 10).isAcceptable)  // XDR: servers only
        XCTAssertFalse(ProtoHeader(version: 2, type: 6, size: 10).isAcceptable)
        XCTAssertTrue(ProtoHeader(version: 2, type: 3, size: ProtoLimits.maxBody).isAcceptable)
        XCTAssertFalse(ProtoHeader(version: 2, type: 3, size: ProtoLimits.maxBody + 1).isAcceptable)
    }

    /// The README's example get request, byte for byte.
    func testBuildsTheReferenceGetRequest() {
        let out = WireBuffer()
        let f = out.beginFrame(type: ProtoType.message)
        out.appendMsgHeader(info1: Info1.read | Info1.getAll, result: 0, transactionTTL: 1000, nFields: 3, nOps: 0)
        Array("test".utf8).withUnsafeBytes { out.appendField(FieldType.namespace, $0) }
        Array("demo".utf8).withUnsafeBytes { out.appendField(FieldType.set, $0) }
        hex("ec91192d4b7f8ce35d5d78d34bca65cbaaaac960").withUnsafeBytes { out.appendField(FieldType.digest, $0) }
        out.endFrame(at: f)
        XCTAssertEqual(toHex(Array(out.bytes)),
            "0203000000000041" + "160300000000" + "00000000" + "00000000" + "000003e8" + "0003" + "0000"
            + "0000000500" + "74657374" + "0000000501" + "64656d6f" + "0000001504" + "ec91192d4b7f8ce35d5d78d34bca65cbaaaac960")
    }

    func testReplyOpLayout() {
        let out = WireBuffer()
        let f = out.beginFrame(type: ProtoType.message)
        out.appendMsgHeader(result: 0, generation: 1, nOps: 1)
        var seven = UInt64(7).bigEndian
        withUnsafeBytes(of: &seven) { v in
            Array("a".utf8).withUnsafeBytes { out.appendOp(op: OpType.read, particle: ParticleType.integer, name: $0, value: v) }
        }
        out.endFrame(at: f)
        XCTAssertEqual(toHex(Array(out.bytes)),
            "0203000000000027" + "16000000000000000001000000000000000000000001"
            + "0000000d01010001610000000000000007")
    }
}

func hex(_ s: String) -> [UInt8] {
    var out = [UInt8]()
    var it = s.makeIterator()
    while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
    return out
}
func toHex(_ b: [UInt8]) -> String { b.map { String(format2($0)) }.joined() }
private func format2(_ x: UInt8) -> String {
    let d = Array("0123456789abcdef")
    return String([d[Int(x >> 4)], d[Int(x & 15)]])
}
