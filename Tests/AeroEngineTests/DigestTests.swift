import XCTest
import CAeroSys
import AeroEngine

/// Key digests and partition ids, against the vectors in shared/protocol/kv.md.
final class DigestTests: XCTestCase {
    func digest(set: String, key: [UInt8]) -> [UInt8] {
        let input = Array(set.utf8) + key
        var out = [UInt8](repeating: 0, count: 20)
        input.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { aero_ripemd160(i.baseAddress, i.count, $0.baseAddress) } }
        return out
    }
    func intKey(_ v: Int64) -> [UInt8] { [1] + withUnsafeBytes(of: v.bigEndian) { Array($0) } }
    func strKey(_ s: String) -> [UInt8] { [3] + Array(s.utf8) }
    func hex(_ b: [UInt8]) -> String { b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

    func testDigestVectors() {
        XCTAssertEqual(hex(digest(set: "set", key: intKey(0))), "93d943aae37b017ad7e011b0c1d2e2143c2fb37d")
        XCTAssertEqual(hex(digest(set: "set", key: intKey(-1))), "22116d253745e29fc63fdf760b6e26f7e197e01d")
        XCTAssertEqual(hex(digest(set: "set", key: strKey(""))), "2819b1ff6e346a43b4f5f6b77a88bc3eaac22a83")
        XCTAssertEqual(hex(digest(set: "set", key: strKey("aaaaaaaaaa"))), "5979fb32a80da070ff356f7695455592272e36c2")
        XCTAssertEqual(hex(digest(set: "demo", key: strKey("key1"))), "ec91192d4b7f8ce35d5d78d34bca65cbaaaac960")
    }

    func testPartitionIDs() {
        XCTAssertEqual(Digest(bytes: digest(set: "demo", key: strKey("key1"))).partitionID, 492)
        XCTAssertEqual(Digest(bytes: digest(set: "demo", key: intKey(1))).partitionID, 1207)
        XCTAssertEqual(Digest(bytes: [0xFF, 0xFF] + [UInt8](repeating: 0, count: 18)).partitionID, 4095)
        XCTAssertEqual(Digest(bytes: [0x01, 0x10] + [UInt8](repeating: 0, count: 18)).partitionID, 1)
    }

    func testByteOrder() {
        let a = Digest(bytes: [0x00, 0xFF] + [UInt8](repeating: 0xFF, count: 18))
        let b = Digest(bytes: [0x01, 0x00] + [UInt8](repeating: 0, count: 18))
        XCTAssertTrue(Digest.byteOrderLess(a, b))
        XCTAssertFalse(Digest.byteOrderLess(b, a))
        let c = Digest(bytes: [UInt8](repeating: 7, count: 19) + [1])
        let d = Digest(bytes: [UInt8](repeating: 7, count: 19) + [2])
        XCTAssertTrue(Digest.byteOrderLess(c, d))
        XCTAssertEqual(Digest(bytes: d.bytes), d)
    }
}
