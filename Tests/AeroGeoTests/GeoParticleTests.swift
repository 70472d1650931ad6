import XCTest
@testable import AeroGeo

final class GeoParticleTests: XCTestCase {
    private func text(_ particle: [UInt8]) -> [UInt8]? {
        particle.withUnsafeBytes { Geo.particleText($0).map { Array($0) } }
    }

    func testSkipsFlagsAndCells() {
        let json = Array(#"{"type":"Point","coordinates":[1,2]}"#.utf8)
        XCTAssertEqual(text([0, 0, 0] + json), json)  // as clients send it
        let cells: [UInt8] = [0x89, 1, 2, 3, 4, 5, 6, 7, 0x8a, 1, 2, 3, 4, 5, 6, 7]
        XCTAssertEqual(text([1, 0, 2] + cells + json), json)  // as the server stores it
        let p = [UInt8]([1, 0, 2] + cells + json)
        let shape = p.withUnsafeBytes { Geo.particleText($0).flatMap { Geo.parse($0) } }
        XCTAssertEqual(shape, .point(lng: 1, lat: 2))
    }

    func testMalformedParticles() {
        XCTAssertNil(text([]))
        XCTAssertNil(text([0]))
        XCTAssertNil(text([0, 0]))
        XCTAssertNil(text([0, 0, 0]))                          // no text
        XCTAssertNil(text([0, 0, 1, 1, 2, 3, 4, 5, 6, 7]))     // cell cut short
        XCTAssertNil(text([0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8]))  // one cell, no text
        XCTAssertNil(text([0, 0xff, 0xff] + Array(repeating: 0x7b, count: 100)))  // 65535 cells announced
        XCTAssertEqual(text([0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 0x7b]), [0x7b])
    }
}
