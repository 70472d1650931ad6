import XCTest
@testable import AeroGeo

final class GeoPolygonTests: XCTestCase {
    let square = polygon([[(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]])

    func testInsideAndOutside() {
        assertRegion(square, inside: [(5, 5), (0.001, 9.999), (9.5, 0.5)],
                     outside: [(11, 5), (-1, 5), (5, 10.001), (5, -0.001), (-5, -5), (15, 15), (185, 5)])
    }

    func testEdgesAndVerticesCountAsInside() {
        assertRegion(square, inside: [(10, 5), (0, 5), (5, 0), (5, 10), (0, 0), (10, 0), (10, 10), (0, 10)],
                     outside: [(10.0001, 5), (5, -0.0001), (-0.0001, -0.0001)])
        // Diagonal edges, incl. one whose points are not exact in binary.
        let triangle = polygon([[(0, 0), (10, 0), (0, 10)]])
        assertRegion(triangle, inside: [(5, 5), (2.5, 7.5), (1, 1)], outside: [(5.0001, 5), (6, 6)])
        let thin = polygon([[(0.1, 0.1), (0.7, 0.3), (0.1, 0.5)]])
        assertRegion(thin, inside: [(0.4, 0.2), (0.1, 0.3), (0.3, 0.3)], outside: [(0.4, 0.19), (0.7, 0.31)])
    }

    func testRingsClosedOrNotAgree() {
        let open = polygon([[(0, 0), (10, 0), (10, 10), (0, 10)]])
        for p in [(5.0, 5.0), (10, 5), (0, 5), (11, 5), (0, 0), (5, 10.5)] {
            XCTAssertEqual(Geo.contains(region: open, point: pt(p.0, p.1)), Geo.contains(region: square, point: pt(p.0, p.1)), "\(p)")
        }
        // Orientation does not matter.
        let clockwise = polygon([[(0, 0), (0, 10), (10, 10), (10, 0), (0, 0)]])
        assertRegion(clockwise, inside: [(5, 5), (0, 5)], outside: [(11, 5)])
    }

    func testNonConvexPolygon() {
        // A "U": the notch (4..6 x 3..10) is outside.
        let u = polygon([[(0, 0), (10, 0), (10, 10), (6, 10), (6, 3), (4, 3), (4, 10), (0, 10), (0, 0)]])
        assertRegion(u, inside: [(2, 8), (8, 8), (5, 1), (5, 3), (4, 7)], outside: [(5, 5), (5, 9.9), (4.5, 3.1)])
    }

    func testHoles() {
        let framed = polygon([[(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)], [(4, 4), (6, 4), (6, 6), (4, 6), (4, 4)]])
        assertRegion(framed,
                     inside: [(2, 2), (8, 8), (3.99, 5), (6.01, 5),
                              (4, 5), (6, 5), (5, 4), (4, 4), (6, 6)],  // the hole's edges and vertices belong to the polygon
                     outside: [(5, 5), (4.01, 4.01), (5.99, 5.99), (11, 5)])
        // Two holes, one of them unclosed.
        let twoHoles = polygon([[(0, 0), (10, 0), (10, 10), (0, 10)], [(1, 1), (3, 1), (3, 3), (1, 3), (1, 1)], [(6, 6), (9, 6), (9, 9)]])
        assertRegion(twoHoles, inside: [(5, 5), (4, 2), (7, 8)], outside: [(2, 2), (8.5, 7)])
    }

    func testMultiPolygon() {
        let m = GeoShape.multiPolygon([
            [[pt(0, 0), pt(2, 0), pt(2, 2), pt(0, 2), pt(0, 0)]],
            [[pt(10, 10), pt(20, 10), pt(20, 20), pt(10, 20), pt(10, 10)], [pt(14, 14), pt(16, 14), pt(16, 16), pt(14, 16), pt(14, 14)]],
        ])
        assertRegion(m, inside: [(1, 1), (0, 0), (12, 12), (20, 15), (14, 15)], outside: [(5, 5), (15, 15), (-1, 1), (21, 15)])
    }

    func testAntimeridian() {
        // From 170 east across 180 to -170: 20 degrees wide, not 340.
        let box = polygon([[(170, -10), (-170, -10), (-170, 10), (170, 10), (170, -10)]])
        assertRegion(box, inside: [(180, 0), (-180, 0), (175, 5), (-175, -5), (179.9, 0), (-179.9, 9.9), (170, 0), (-170, 10)],
                     outside: [(0, 0), (160, 0), (-160, 0), (169.9, 0), (-169.9, 0), (180, 11), (-180, -11)])
        // The same region with its first vertex west of the line.
        let box2 = polygon([[(-175, -5), (175, -5), (175, 5), (-175, 5)]])
        assertRegion(box2, inside: [(179, 0), (-179, 0), (180, 0), (-180, 0), (175, 5)], outside: [(170, 0), (-170, 0), (0, 0)])
        // Vertices on the line itself: 180 and -180 are the same meridian.
        let edge = polygon([[(170, 0), (180, 0), (180, 10), (170, 10), (170, 0)]])
        assertRegion(edge, inside: [(175, 5), (180, 5), (-180, 5)], outside: [(-179, 5), (169, 5)])
        let westEdge = polygon([[(-180, 0), (-170, 0), (-170, 10), (-180, 10)]])
        assertRegion(westEdge, inside: [(-175, 5), (180, 5), (-180, 5)], outside: [(179, 5), (-169, 5)])
        // A hole across the line.
        let framed = polygon([[(160, -20), (-160, -20), (-160, 20), (160, 20)], [(175, -5), (-175, -5), (-175, 5), (175, 5)]])
        assertRegion(framed, inside: [(165, 0), (-165, 0), (180, 10), (175, 0)], outside: [(180, 0), (-179, 1), (179, -1)])
        // A multipolygon with one part on each side of the globe.
        let m = GeoShape.multiPolygon([[[pt(178, 0), pt(-178, 0), pt(-178, 2), pt(178, 2)]], [[pt(-2, 0), pt(2, 0), pt(2, 2), pt(-2, 2)]]])
        assertRegion(m, inside: [(180, 1), (0, 1), (-179, 1)], outside: [(90, 1), (-90, 1)])
    }

    func testRingsRoundAPole() {
        // Latitude 80 all the way round: the cap north of it.
        let north = polygon([[(0, 80), (120, 80), (-120, 80), (0, 80)]])
        assertRegion(north, inside: [(0, 85), (60, 89), (-150, 89.9), (123, 90), (0, 80), (120, 80)],
                     outside: [(0, 75), (180, 70), (-60, 0), (0, -85)])
        // Written from -180 to 180, last vertex equal (on the sphere) to the first.
        let north2 = polygon([[(-180, 70), (-90, 70), (0, 70), (90, 70), (180, 70)]])
        assertRegion(north2, inside: [(45, 80), (-135, 71), (180, 75)], outside: [(45, 60), (0, 0)])
        // Round the south pole.
        let south = polygon([[(0, -60), (-90, -60), (180, -60), (90, -60), (0, -60)]])
        assertRegion(south, inside: [(10, -70), (-170, -89), (0, -90)], outside: [(10, -50), (0, 0), (0, 90)])
    }

    func testMatchesComparesPointsWithRegionsOnly() {
        let p = GeoShape.point(lng: 5, lat: 5)
        XCTAssertTrue(Geo.matches(p, square))
        XCTAssertTrue(Geo.matches(square, p))
        XCTAssertFalse(Geo.matches(.point(lng: 50, lat: 5), square))
        XCTAssertFalse(Geo.matches(square, .point(lng: 50, lat: 5)))
        XCTAssertFalse(Geo.matches(p, p))
        XCTAssertFalse(Geo.matches(square, square))
        XCTAssertFalse(Geo.matches(square, .circle(center: pt(5, 5), radiusMeters: 1e6)))
        XCTAssertFalse(Geo.contains(region: p, point: pt(5, 5)))
    }

    func testDegenerateShapesBuiltInCode() {
        // Shapes that parse would reject still answer without trapping.
        XCTAssertFalse(Geo.contains(region: .polygon([[]]), point: pt(0, 0)))
        XCTAssertFalse(Geo.contains(region: .polygon([[pt(0, 0)]]), point: pt(0, 0).withLng(1)))
        XCTAssertFalse(Geo.contains(region: square, point: pt(.nan, 5)))
        XCTAssertFalse(Geo.contains(region: square, point: pt(5, .infinity)))
        XCTAssertFalse(Geo.contains(region: .circle(center: pt(0, 0), radiusMeters: .nan), point: pt(0, 0)))
    }
}

private extension GeoPoint {
    func withLng(_ lng: Double) -> GeoPoint { GeoPoint(lng: lng, lat: lat) }
}
