import XCTest
@testable import AeroGeo

final class GeoCircleTests: XCTestCase {
    /// One degree along a meridian, in metres, on the 6371000 m sphere.
    let degree = 6371000.0 * 3.141592653589793 / 180

    func testServerObservedExample() throws {
        // expressions.md section 7 (asd CE 8.1.2.0): a Point bin at (-122.0, 37.5) against an
        // AeroCircle of radius 1000 centred there -> true; centred at (-100.0, 37.5) -> false;
        // flat coordinates -> invalid (4).
        let bin = try XCTUnwrap(geo(#"{"type":"Point","coordinates":[-122.0,37.5]}"#))
        let here = try XCTUnwrap(geo(#"{"type":"AeroCircle","coordinates":[[-122.0,37.5],1000]}"#))
        let away = try XCTUnwrap(geo(#"{"type":"AeroCircle","coordinates":[[-100.0,37.5],1000]}"#))
        XCTAssertTrue(Geo.matches(bin, here))
        XCTAssertTrue(Geo.matches(here, bin))
        XCTAssertFalse(Geo.matches(bin, away))
        XCTAssertFalse(Geo.matches(away, bin))
        XCTAssertNil(geo(#"{"type":"AeroCircle","coordinates":[-122.0,37.5,1000]}"#))
    }

    func testBoundary() {
        let c = GeoShape.circle(center: pt(0, 0), radiusMeters: degree)
        XCTAssertTrue(Geo.contains(region: c, point: pt(0, 1)))     // exactly on the circle
        XCTAssertTrue(Geo.contains(region: c, point: pt(1, 0)))     // along the equator too
        XCTAssertTrue(Geo.contains(region: c, point: pt(0, -1)))
        XCTAssertFalse(Geo.contains(region: c, point: pt(0, 1.000001)))
        XCTAssertFalse(Geo.contains(region: .circle(center: pt(0, 0), radiusMeters: degree * (1 - 1e-6)), point: pt(0, 1)))
        XCTAssertTrue(Geo.contains(region: .circle(center: pt(0, 0), radiusMeters: degree * (1 + 1e-6)), point: pt(0, 1)))
        // Along a meridian elsewhere, distance is the latitude difference.
        let north = GeoShape.circle(center: pt(-122, 37.5), radiusMeters: 0.5 * degree)
        assertRegion(north, inside: [(-122, 38), (-122, 37), (-122, 37.5)], outside: [(-122, 38.0001), (-121.3, 37.5)])
        // 0.6 degrees of longitude at latitude 37.5 is only 0.476 degrees of arc.
        assertRegion(north, inside: [(-121.4, 37.5)], outside: [])
    }

    func testRadiusZeroNegativeAndHuge() {
        let zero = GeoShape.circle(center: pt(10, 20), radiusMeters: 0)
        assertRegion(zero, inside: [(10, 20)], outside: [(10, 20.000001)])
        let negative = GeoShape.circle(center: pt(10, 20), radiusMeters: -1)
        assertRegion(negative, inside: [], outside: [(10, 20)])
        XCTAssertEqual(geo(#"{"type":"AeroCircle","coordinates":[[10,20],-1]}"#), negative)  // accepted, encloses nothing
        let world = GeoShape.circle(center: pt(10, 20), radiusMeters: 20_015_087)  // half the circumference
        assertRegion(world, inside: [(-170, -20), (0, 0), (10, 20)], outside: [])
        let almost = GeoShape.circle(center: pt(10, 20), radiusMeters: 20_000_000)
        // 15 km short of the antipode (-170, -20), which is 0.136 degrees away.
        assertRegion(almost, inside: [(0, 0), (-170, -15), (-170, -19.8)], outside: [(-170, -20), (-170, -19.9)])
    }

    func testLongitudeShrinksWithLatitude() {
        // At latitude 60 one degree of longitude is about 55.6 km (great circle: 55597 m).
        assertRegion(.circle(center: pt(0, 60), radiusMeters: 55_700), inside: [(1, 60)], outside: [(0, 61)])
        assertRegion(.circle(center: pt(0, 60), radiusMeters: 55_500), inside: [], outside: [(1, 60)])
    }

    func testAntimeridianAndPoles() {
        // 179.9 and -179.9 on the equator are 0.2 degrees (22.2 km) apart.
        assertRegion(.circle(center: pt(-179.9, 0), radiusMeters: 30_000), inside: [(179.9, 0), (180, 0), (-180, 0.1)],
                     outside: [(179.5, 0), (0, 0)])
        assertRegion(.circle(center: pt(-179.9, 0), radiusMeters: 20_000), inside: [(-180, 0)], outside: [(179.9, 0)])
        assertRegion(.circle(center: pt(180, 10), radiusMeters: 1000), inside: [(-180, 10)], outside: [(0, 10)])
        // Round the pole: every longitude at latitude 89.9 is 0.1 degrees (11.1 km) from it.
        let pole = GeoShape.circle(center: pt(0, 90), radiusMeters: 12_000)
        assertRegion(pole, inside: [(123, 89.9), (-180, 89.9), (77, 90)], outside: [(0, 89.8)])
        assertRegion(.circle(center: pt(45, 89.95), radiusMeters: 12_000), inside: [(-135, 89.95)], outside: [(-135, 89.8)])
    }

    func testMathKernel() {
        let pi = GeoMath.pi
        let cases: [(Double, Double, Double)] = [  // x, sin x, cos x
            (0, 0, 1), (pi / 6, 0.5, 0.8660254037844387), (pi / 4, 0.7071067811865476, 0.7071067811865476),
            (pi / 2, 1, 0), (1, 0.8414709848078965, 0.5403023058681398), (2, 0.9092974268256817, -0.4161468365471424),
            (3, 0.1411200080598672, -0.9899924966004454), (pi, 0, -1), (-1, -0.8414709848078965, 0.5403023058681398),
            (-pi / 2, -1, 0), (5, -0.9589242746631385, 0.28366218546322625), (1e-10, 1e-10, 1),
        ]
        for (x, s, c) in cases {
            XCTAssertEqual(GeoMath.sin(x), s, accuracy: 4e-16, "sin \(x)")
            XCTAssertEqual(GeoMath.cos(x), c, accuracy: 4e-16, "cos \(x)")
        }
        XCTAssertTrue(GeoMath.sin(.nan).isNaN)
        XCTAssertTrue(GeoMath.cos(.infinity).isNaN)
    }
}
