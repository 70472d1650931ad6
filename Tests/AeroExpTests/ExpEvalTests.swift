import XCTest
import AeroCDT
@testable import AeroExp

/// A record made by hand.
struct FakeRecord: ExpRecord {
    var bins: [String: (UInt8, [UInt8])] = [:]
    var keyType: UInt8 = 0
    var keyBytes: [UInt8] = []
    var setBytes: [UInt8] = Array("s".utf8)
    var digestTail: UInt32 = 10
    var voidTime: UInt32 = 0
    var lastUpdateMs: UInt64 = 1_000_000
    var recordSize: Int = 100
    var nowMs: UInt64 = 1_005_000

    func bin(_ name: UnsafeRawBufferPointer) -> (particle: UInt8, value: UnsafeRawBufferPointer)? {
        guard let b = bins[String(decoding: name, as: UTF8.self)] else { return nil }
        return b.1.withUnsafeBytes { raw in
            // Stable for the test's lifetime: the dictionary keeps the array alive.
            (b.0, UnsafeRawBufferPointer(start: raw.baseAddress, count: raw.count))
        }
    }
    var key: UnsafeRawBufferPointer { keyBytes.withUnsafeBytes { UnsafeRawBufferPointer(start: $0.baseAddress, count: $0.count) } }
    var setName: UnsafeRawBufferPointer { setBytes.withUnsafeBytes { UnsafeRawBufferPointer(start: $0.baseAddress, count: $0.count) } }
}

func be(_ v: Int64) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
func raw(_ s: String) -> [UInt8] { var b = [UInt8](s.utf8); b.insert(0xa0 | UInt8(b.count), at: 0); return b }
func op(_ code: Int, _ args: [UInt8]...) -> [UInt8] { MP.list([MP.int(Int64(code))] + args) }
func binInt(_ n: String) -> [UInt8] { op(81, MP.int(2), raw(n)) }
func binStr(_ n: String) -> [UInt8] { op(81, MP.int(3), raw(n)) }

final class ExpEvalTests: XCTestCase {
    var rec = FakeRecord()

    override func setUp() {
        rec.bins["a"] = (1, be(7))
        rec.bins["s"] = (3, Array("Hello\nworld".utf8))
        rec.bins["l"] = (20, MP.list([MP.int(1), MP.int(5), MP.int(9)]))
        rec.bins["m"] = (19, MP.map([(MP.string("x"), MP.int(1)), (MP.string("y"), MP.int(2))]))
        rec.bins["f"] = (2, withUnsafeBytes(of: (2.5).bitPattern.bigEndian) { Array($0) })
    }

    func eval(_ e: [UInt8]) throws -> ExpValue {
        let exp = try e.withUnsafeBytes { b -> AeroExp.Expression in
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: b.count, alignment: 8)
            copy.copyMemory(from: b)
            return try AeroExp.Expression.compile(UnsafeRawBufferPointer(copy))  // leaked on purpose: literals borrow it
        }
        return exp.evaluate(rec)
    }
    func int(_ e: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> Int64? {
        if case .int(let v) = (try? eval(e)) ?? .unknown { return v }
        return nil
    }
    func bool(_ e: [UInt8]) -> Bool? {
        if case .bool(let v) = (try? eval(e)) ?? .unknown { return v }
        return nil
    }
    func compileError(_ e: [UInt8]) -> UInt8? {
        do { _ = try eval(e); return nil } catch let err as ExpError { return err.code } catch { return 255 }
    }

    func testComparisonsAndBins() {
        XCTAssertEqual(bool(op(1, binInt("a"), MP.int(7))), true)
        XCTAssertEqual(bool(op(3, binInt("a"), MP.int(7))), false)
        XCTAssertEqual(bool(op(1, binStr("s"), MP.string("Hello\nworld"))), true)
        // A missing bin, or a bin of another type, is UNKNOWN (not false).
        XCTAssertNil(bool(op(1, binInt("nope"), MP.int(7))))
        XCTAssertNil(bool(op(1, binInt("s"), MP.int(7))))
        XCTAssertEqual(int(op(82, raw("s"))), 3)
        XCTAssertEqual(int(op(82, raw("nope"))), 0)
    }

    func testThreeValuedLogic() {
        let unknown = op(1, binInt("nope"), MP.int(1))
        let t = op(1, binInt("a"), MP.int(7)), f = op(1, binInt("a"), MP.int(8))
        XCTAssertEqual(bool(op(16, f, unknown)), false)
        XCTAssertNil(bool(op(16, t, unknown)))
        XCTAssertEqual(bool(op(17, t, unknown)), true)
        XCTAssertNil(bool(op(17, f, unknown)))
        XCTAssertNil(bool(op(18, unknown)))
        XCTAssertEqual(bool(op(19, t, f, f)), true)
        XCTAssertEqual(bool(op(19, t, t)), false)
    }

    func testArithmeticWrapsAndNeverTraps() {
        XCTAssertEqual(int(op(20, MP.int(Int64.max), MP.int(1))), Int64.min)
        XCTAssertEqual(int(op(21, MP.int(Int64.min), MP.int(1))), Int64.max)
        XCTAssertEqual(int(op(22, MP.int(Int64.max), MP.int(2))), -2)
        XCTAssertEqual(int(op(21, MP.int(5))), -5)
        XCTAssertEqual(int(op(23, MP.int(-7), MP.int(2))), -3)
        XCTAssertEqual(int(op(23, MP.int(4))), 0)
        XCTAssertEqual(int(op(26, MP.int(-7), MP.int(2))), -1)
        XCTAssertNil(int(op(23, MP.int(1), MP.int(0))), "division by zero is UNKNOWN")
        XCTAssertNil(int(op(26, MP.int(1), MP.int(0))))
        // The inputs that crash the real server: defined results here.
        XCTAssertEqual(int(op(23, MP.int(Int64.min), MP.int(-1))), Int64.min)
        XCTAssertEqual(int(op(26, MP.int(Int64.min), MP.int(-1))), 0)
        if case .float(let d) = (try? eval(op(23, MP.double(2.0)))) ?? .unknown { XCTAssertEqual(d, 0.5) } else { XCTFail() }
        if case .float(let d) = (try? eval(op(24, MP.double(2), MP.double(10)))) ?? .unknown { XCTAssertEqual(d, 1024) } else { XCTFail() }
    }

    func testIntegerBits() {
        XCTAssertEqual(int(op(32, MP.int(0b1100), MP.int(0b1010))), 0b1000)
        XCTAssertEqual(int(op(39, MP.int(0xff))), 8)
        XCTAssertEqual(int(op(36, MP.int(1), MP.int(4))), 16)
        XCTAssertEqual(int(op(37, MP.int(-1), MP.int(60))), 15)
        XCTAssertEqual(int(op(38, MP.int(-16), MP.int(2))), -4)
        XCTAssertEqual(int(op(40, MP.int(1), MP.bool(true))), 63)
        XCTAssertEqual(int(op(41, MP.int(6), MP.bool(true))), 62)
        XCTAssertEqual(int(op(40, MP.int(-1), MP.bool(false))), -1)
    }

    func testStaticTypeErrorsAreParameterErrors() {
        XCTAssertEqual(compileError(op(1, binInt("a"), MP.string("x"))), 4)
        XCTAssertEqual(compileError(op(16, MP.int(1), MP.bool(true))), 4)
        XCTAssertEqual(compileError(op(20, MP.int(1), MP.double(1))), 4)
        XCTAssertEqual(compileError(op(24, MP.int(2), MP.int(3))), 4)
        XCTAssertEqual(compileError(op(99)), 4)
        XCTAssertEqual(compileError(op(1, binInt("a"))), 4)
        XCTAssertEqual(compileError([0x91]), 4)                                  // truncated
        XCTAssertEqual(compileError([UInt8](repeating: 0x91, count: 100_000) + [0x00]), 4)  // too deep
        XCTAssertEqual(compileError(op(7, MP.int(1), raw("("), binStr("s"))), 4)    // bad regex
        XCTAssertEqual(compileError(op(127, MP.int(2), MP.int(1), op(0), binStr("s"))), 16)  // bit call: later
    }

    func testRegexFlags() {
        XCTAssertEqual(bool(op(7, MP.int(0), raw("^HEL"), binStr("s"))), false)
        XCTAssertEqual(bool(op(7, MP.int(2), raw("^HEL"), binStr("s"))), true)
        XCTAssertEqual(bool(op(7, MP.int(1), raw("^Hel+o"), binStr("s"))), true)
        XCTAssertEqual(bool(op(7, MP.int(0), raw("^world"), binStr("s"))), false)
        XCTAssertEqual(bool(op(7, MP.int(4), raw("^world"), binStr("s"))), true)
    }

    func testLetCondAndVariables() {
        let e = op(125, raw("x"), binInt("a"), raw("y"), MP.int(3), op(20, op(124, raw("x")), op(124, raw("y"))))
        XCTAssertEqual(int(e), 10)
        let c = op(123, op(1, binInt("a"), MP.int(1)), MP.int(100), op(1, binInt("a"), MP.int(7)), MP.int(200), MP.int(300))
        XCTAssertEqual(int(c), 200)
        XCTAssertEqual(compileError(op(124, raw("nope"))), 4)
        XCTAssertEqual(compileError(op(125, raw("1x"), MP.int(1), MP.int(2))), 4)
    }

    func testMetadata() {
        rec.voidTime = 500
        XCTAssertEqual(int(op(69)), 0, "a passed void time leaves 0 seconds")
    }

    func testMetadataValues() {
        rec.voidTime = 2000
        rec.keyType = 3
        rec.keyBytes = Array("k1".utf8)
        XCTAssertEqual(int(op(69)), 2000 - 1005)
        XCTAssertEqual(int(op(68)), (2000 + 1_262_304_000) * 1_000_000_000)
        XCTAssertEqual(int(op(66)), (1_000_000 + 1_262_304_000_000) * 1_000_000)
        XCTAssertEqual(int(op(67)), 5000)
        XCTAssertEqual(int(op(64, MP.int(3))), 1)
        XCTAssertEqual(bool(op(71)), true)
        XCTAssertEqual(bool(op(1, op(80, MP.int(3)), MP.string("k1"))), true)
        XCTAssertEqual(bool(op(1, op(70), MP.string("s"))), true)
        rec.voidTime = 0
        XCTAssertEqual(int(op(69)), -1)
        XCTAssertEqual(int(op(68)), -1)
    }

    func testCollectionsAndCalls() {
        // list size through a CALL: [127, INT, CDT, [16], bin l]
        XCTAssertEqual(int(op(127, MP.int(2), MP.int(0), MP.list([MP.int(16)]), op(81, MP.int(4), raw("l")))), 3)
        // count of values == 5: [22, rt COUNT, 5]
        XCTAssertEqual(int(op(127, MP.int(2), MP.int(0), MP.list([MP.int(22), MP.int(5), MP.int(5)]), op(81, MP.int(4), raw("l")))), 1)
        // map get by key "y" → VALUE
        XCTAssertEqual(int(op(127, MP.int(2), MP.int(0), MP.list([MP.int(97), MP.int(7), MP.string("y")]), op(81, MP.int(5), raw("m")))), 2)
        XCTAssertEqual(bool(op(9, MP.int(5), op(81, MP.int(4), raw("l")))), true)
        XCTAssertEqual(bool(op(9, MP.int(6), op(81, MP.int(4), raw("l")))), false)
        if case .list(let keys) = (try? eval(op(101, op(81, MP.int(5), raw("m"))))) ?? .unknown {
            XCTAssertEqual(keys.array, MP.list([MP.string("x"), MP.string("y")]))
        } else { XCTFail("map keys") }
        // modify-local: append 4 to a copy of l; the call returns the changed list, size 4
        let local = op(127, MP.int(4), MP.int(0x40), MP.list([MP.int(1), MP.int(4)]), op(81, MP.int(4), raw("l")))
        XCTAssertEqual(int(op(127, MP.int(2), MP.int(0), MP.list([MP.int(16)]), local)), 4)
    }

    func testGeo() {
        rec.bins["p"] = (23, [0, 0, 0] + Array(#"{"type":"Point","coordinates":[-122.0,37.5]}"#.utf8))
        let circle = { (lng: Double) -> [UInt8] in
            var w = MPWriter()
            Array(#"{"type":"AeroCircle","coordinates":[[\#(lng),37.5],1000]}"#.utf8).withUnsafeBytes { w.appendPrefixed(23, $0) }
            return w.bytes
        }
        XCTAssertEqual(bool(op(8, op(81, MP.int(8), raw("p")), circle(-122.0))), true)
        XCTAssertEqual(bool(op(8, op(81, MP.int(8), raw("p")), circle(-100.0))), false)
    }
}
