import XCTest
import AeroWire

final class MessageTests: XCTestCase {
    /// header + fields + ops as a body (no proto header).
    func body(nFields: Int, nOps: Int, _ rest: [UInt8], info1: UInt8 = 1) -> [UInt8] {
        var h: [UInt8] = [22, info1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]
        h += [UInt8(nFields >> 8), UInt8(nFields & 255), UInt8(nOps >> 8), UInt8(nOps & 255)]
        return h + rest
    }
    let nsField: [UInt8] = [0, 0, 0, 5, 0] + Array("test".utf8)
    let opRead: [UInt8] = [0, 0, 0, 5, 1, 0, 0, 1, UInt8(ascii: "a")]

    func testParsesHeaderFieldsAndOps() throws {
        let b = body(nFields: 1, nOps: 1, nsField + opRead)
        let m = try XCTUnwrap(b.withUnsafeBytes { Message.parse($0) })
        XCTAssertEqual(m.info1, 1)
        XCTAssertEqual(m.generation, 1)
        XCTAssertEqual(m.recordTTL, 2)
        XCTAssertEqual(m.transactionTTL, 3)
        let ns = try XCTUnwrap(m.namespace)
        XCTAssertEqual(Array(b[ns.range]), Array("test".utf8))
        var ops: [(UInt8, [UInt8])] = []
        b.withUnsafeBytes { raw in m.forEachOp(raw) { ops.append(($0.op, Array(b[$0.name.range]))) } }
        XCTAssertEqual(ops.count, 1)
        XCTAssertEqual(ops[0].0, OpType.read)
        XCTAssertEqual(ops[0].1, Array("a".utf8))
    }

    func testRejectsTruncatedAndOversizedLengths() {
        // Shorter than a header.
        XCTAssertNil([UInt8](repeating: 0, count: 21).withUnsafeBytes { Message.parse($0) })
        // Field size running past the end.
        var bad = nsField; bad[3] = 50
        XCTAssertNil(body(nFields: 1, nOps: 0, bad).withUnsafeBytes { Message.parse($0) })
        // Field size zero (must count its type byte).
        XCTAssertNil(body(nFields: 1, nOps: 0, [0, 0, 0, 0, 0]).withUnsafeBytes { Message.parse($0) })
        // More fields announced than present.
        XCTAssertNil(body(nFields: 2, nOps: 0, nsField).withUnsafeBytes { Message.parse($0) })
        // Op whose name length exceeds its size.
        XCTAssertNil(body(nFields: 0, nOps: 1, [0, 0, 0, 4, 1, 0, 0, 9]).withUnsafeBytes { Message.parse($0) })
        // Op size 0xFFFFFFFF.
        XCTAssertNil(body(nFields: 0, nOps: 1, [255, 255, 255, 255, 1, 0, 0, 0]).withUnsafeBytes { Message.parse($0) })
        // Header size byte larger than the body.
        var hb = body(nFields: 0, nOps: 0, []); hb[0] = 200
        XCTAssertNil(hb.withUnsafeBytes { Message.parse($0) })
    }

    func testUnknownFieldsAreSkipped() throws {
        let unknown: [UInt8] = [0, 0, 0, 3, 99, 1, 2]
        let b = body(nFields: 2, nOps: 0, unknown + nsField)
        let m = try XCTUnwrap(b.withUnsafeBytes { Message.parse($0) })
        XCTAssertNotNil(m.namespace)
        XCTAssertFalse(m.hasMRTField)
    }

    func testMRTFieldsAreFlagged() throws {
        let mrt: [UInt8] = [0, 0, 0, 9, 5, 1, 2, 3, 4, 5, 6, 7, 8]
        let m = try XCTUnwrap(body(nFields: 1, nOps: 0, mrt).withUnsafeBytes { Message.parse($0) })
        XCTAssertTrue(m.hasMRTField)
    }

    func testRandomBytesNeverCrashTheParser() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let n = Int.random(in: 0..<200, using: &rng)
            var b = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if b.count > 0 { b[0] = 22 }
            if let m = b.withUnsafeBytes({ Message.parse($0) }) {
                // Whatever parsed must lie inside the body.
                XCTAssertLessThanOrEqual(m.opsEnd, b.count)
                b.withUnsafeBytes { raw in m.forEachOp(raw) { op in XCTAssertLessThanOrEqual(op.value.range.upperBound, b.count) } }
            }
        }
    }
}
