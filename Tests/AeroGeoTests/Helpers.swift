import XCTest
@testable import AeroGeo

/// Parses GeoJSON given as a Swift string.
func geo(_ text: String) -> GeoShape? {
    Array(text.utf8).withUnsafeBytes { Geo.parse($0) }
}

/// Parses GeoJSON given as raw bytes (for invalid UTF-8 and other non-string input).
func geo(bytes: [UInt8]) -> GeoShape? {
    bytes.withUnsafeBytes { Geo.parse($0) }
}

func pt(_ lng: Double, _ lat: Double) -> GeoPoint { GeoPoint(lng: lng, lat: lat) }

/// A Polygon from rings of [lng, lat] pairs.
func polygon(_ rings: [[(Double, Double)]]) -> GeoShape {
    .polygon(rings.map { $0.map { pt($0.0, $0.1) } })
}

/// Asserts which of `inside` / `outside` points the region contains.
func assertRegion(_ region: GeoShape, inside: [(Double, Double)], outside: [(Double, Double)],
                  file: StaticString = #filePath, line: UInt = #line) {
    for (lng, lat) in inside {
        XCTAssertTrue(Geo.contains(region: region, point: pt(lng, lat)), "(\(lng), \(lat)) should be inside", file: file, line: line)
    }
    for (lng, lat) in outside {
        XCTAssertFalse(Geo.contains(region: region, point: pt(lng, lat)), "(\(lng), \(lat)) should be outside", file: file, line: line)
    }
}
