import XCTest
import AeroWire

final class Base64Tests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(Base64.encode(Array("1,python-19.0.0,not-set".utf8)), "MSxweXRob24tMTkuMC4wLG5vdC1zZXQ=")
        XCTAssertEqual(Base64.encode([UInt8]()), "")
        XCTAssertEqual(Base64.encode([0xFF]), "/w==")
        XCTAssertEqual(Base64.encode([UInt8](repeating: 0xFF, count: 512)), String(repeating: "/", count: 682) + "8=")
    }

    func testRoundTrip() {
        for n in 0..<40 {
            let data = (0..<n).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            XCTAssertEqual(Base64.decode(Array(Base64.encode(data).utf8)), data)
        }
    }

    func testRejectsBadInput() {
        XCTAssertNil(Base64.decode(Array("abc".utf8)))        // not a multiple of 4
        XCTAssertNil(Base64.decode(Array("ab!d".utf8)))       // outside the alphabet
        XCTAssertNil(Base64.decode(Array("a=bc".utf8)))       // padding in the middle
        XCTAssertNil(Base64.decode(Array("ab==abcd".utf8)))   // padding before the end
    }
}
