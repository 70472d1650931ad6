import XCTest
@testable import AeroGeo

final class GeoParseTests: XCTestCase {
    func testPoint() {
        XCTAssertEqual(geo(#"{"type":"Point","coordinates":[-122.0,37.5]}"#), .point(lng: -122.0, lat: 37.5))
        XCTAssertEqual(geo(#" { "coordinates" : [ 1 , 2 ] , "type" : "Point" } "#), .point(lng: 1, lat: 2))
        XCTAssertEqual(geo(#"{"type":"Point","coordinates":[1.5e1,-3.25E-1]}"#), .point(lng: 15, lat: -0.325))
        // The limits themselves are valid.
        XCTAssertEqual(geo(#"{"type":"Point","coordinates":[180,90]}"#), .point(lng: 180, lat: 90))
        XCTAssertEqual(geo(#"{"type":"Point","coordinates":[-180,-90]}"#), .point(lng: -180, lat: -90))
    }

    func testPolygonClosedOrNot() {
        let closed = geo(#"{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,4]]]}"#)
        XCTAssertEqual(closed, polygon([[(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)], [(4, 4), (6, 4), (6, 6), (4, 4)]]))
        let open = geo(#"{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10]]]}"#)
        XCTAssertEqual(open, polygon([[(0, 0), (10, 0), (10, 10)]]))
    }

    func testMultiPolygon() {
        let shape = geo(#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]],[[5.2,5.1],[5.8,5.1],[5.8,5.5],[5.2,5.1]]]]}"#)
        XCTAssertEqual(shape, .multiPolygon([
            [[pt(0, 0), pt(1, 0), pt(1, 1), pt(0, 0)]],
            [[pt(5, 5), pt(6, 5), pt(6, 6), pt(5, 5)], [pt(5.2, 5.1), pt(5.8, 5.1), pt(5.8, 5.5), pt(5.2, 5.1)]],
        ]))
    }

    func testAeroCircle() {
        XCTAssertEqual(geo(#"{"type":"AeroCircle","coordinates":[[-122.0,37.5],1000]}"#),
                       .circle(center: pt(-122.0, 37.5), radiusMeters: 1000))
        XCTAssertEqual(geo(#"{"type": "AeroCircle", "coordinates": [[-122.097837, 37.421363], 3.5e3]}"#),
                       .circle(center: pt(-122.097837, 37.421363), radiusMeters: 3500))
        // Flat coordinates are invalid (observed: the server answers 4 for a CMP_GEO with them).
        XCTAssertNil(geo(#"{"type":"AeroCircle","coordinates":[-122.0,37.5,1000]}"#))
        XCTAssertNil(geo(#"{"type":"AeroCircle","coordinates":[[-122.0,37.5]]}"#))
        XCTAssertNil(geo(#"{"type":"AeroCircle","coordinates":[[-122.0,37.5],1000,1]}"#))
        XCTAssertNil(geo(#"{"type":"AeroCircle","coordinates":[[-122.0,37.5],"1000"]}"#))
        XCTAssertNil(geo(#"{"type":"AeroCircle","coordinates":[[-122.0,97.5],1000]}"#))
        XCTAssertNil(geo(#"{"type":"AeroCircle","coordinates":[1000,[-122.0,37.5]]}"#))
    }

    func testEscapedAndNestedJSON() {
        // Escapes in keys and in the type; other members (even deeply nested ones) are ignored.
        XCTAssertEqual(geo(#"{"ty\u0070e":"Po\u0069nt","coord\u0069nates":[1,2],"properties":{"name":"caf\u00e9 \"x\" \ud83d\ude00","tags":[[[{"a":[null,true,false]}]]]}}"#),
                       .point(lng: 1, lat: 2))
        // A type with an escaped slash or other characters is not a supported type.
        XCTAssertNil(geo(#"{"type":"Point\/","coordinates":[1,2]}"#))
        // Feature wraps a geometry.
        XCTAssertEqual(geo(#"{"type":"Feature","properties":{"a":{"b":[1,{"c":"}"}]}},"geometry":{"type":"AeroCircle","coordinates":[[3,4],5]}}"#),
                       .circle(center: pt(3, 4), radiusMeters: 5))
        XCTAssertNil(geo(#"{"type":"Feature","geometry":{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}}"#))
        XCTAssertNil(geo(#"{"type":"Feature","geometry":null}"#))
        // Nesting within the depth limit is fine.
        let deep = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        XCTAssertEqual(geo(#"{"type":"Point","coordinates":[1,2],"p":"# + deep + "}"), .point(lng: 1, lat: 2))
        // A repeated key takes its last value, as in jansson.
        XCTAssertEqual(geo(#"{"type":"Polygon","type":"Point","coordinates":[1,2]}"#), .point(lng: 1, lat: 2))
    }

    func testWrongTypesAndShapes() {
        for bad in [
            #"[{"type":"Point","coordinates":[1,2]}]"#,      // top level not an object
            #""Point""#,
            #"{"coordinates":[1,2]}"#,                        // no type
            #"{"type":"Point"}"#,                             // no coordinates
            #"{"type":5,"coordinates":[1,2]}"#,
            #"{"type":"point","coordinates":[1,2]}"#,         // case matters
            #"{"type":"LineString","coordinates":[[1,2],[3,4]]}"#,
            #"{"type":"MultiPoint","coordinates":[[1,2]]}"#,
            #"{"type":"GeometryCollection","geometries":[]}"#,
            #"{"type":"Point","coordinates":[1]}"#,
            #"{"type":"Point","coordinates":[1,2,3]}"#,       // no altitude, as on the server
            #"{"type":"Point","coordinates":["1","2"]}"#,
            #"{"type":"Point","coordinates":[true,false]}"#,
            #"{"type":"Point","coordinates":[null,2]}"#,
            #"{"type":"Point","coordinates":{"lng":1,"lat":2}}"#,
            #"{"type":"Point","coordinates":[[1,2]]}"#,
            #"{"type":"Polygon","coordinates":[[1,2],[3,4],[5,6]]}"#,   // missing a level
            #"{"type":"Polygon","coordinates":[[[[0,0],[1,0],[1,1]]]]}"#, // one level too many
            #"{"type":"Polygon","coordinates":[[[0,0],[1,0]]]}"#,       // 2 distinct points
            #"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#,
            #"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,0],[0,0],[1,0]]]}"#,
            #"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0,0]]]}"#, // a degenerate hole
            #"{"type":"Polygon","coordinates":[[]]}"#,
            #"{"type":"Polygon","coordinates":"x"}"#,
            #"{"type":"MultiPolygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#,   // a polygon, not a list of them
            #"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],5]}"#,
        ] {
            XCTAssertNil(geo(bad), bad)
        }
    }

    func testEmptyPolygonsParseAndEncloseNothing() throws {
        // As on the server (an S2Polygon / S2RegionUnion with nothing in it).
        let p = try XCTUnwrap(geo(#"{"type":"Polygon","coordinates":[]}"#))
        let m = try XCTUnwrap(geo(#"{"type":"MultiPolygon","coordinates":[]}"#))
        XCTAssertFalse(Geo.contains(region: p, point: pt(0, 0)))
        XCTAssertFalse(Geo.contains(region: m, point: pt(0, 0)))
    }

    func testCoordinateRanges() {
        for (lng, lat) in [("180.0000001", "0"), ("-180.0000001", "0"), ("0", "90.0000001"), ("0", "-90.0000001"),
                           ("360", "0"), ("0", "1e3")] {
            XCTAssertNil(geo(#"{"type":"Point","coordinates":[\#(lng),\#(lat)]}"#), "\(lng) \(lat)")
        }
        XCTAssertNil(geo(#"{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,91],[0,0]]]}"#))
        XCTAssertNil(geo(#"{"type":"AeroCircle","coordinates":[[190,0],10]}"#))
    }

    func testNumbersJSONForbids() {
        for n in ["NaN", "nan", "Infinity", "-Infinity", "1e999", "-1e999", "+1", ".5", "5.", "0x1", "01", "1e", "--1"] {
            XCTAssertNil(geo(#"{"type":"Point","coordinates":[\#(n),0]}"#), n)
            XCTAssertNil(geo(#"{"type":"AeroCircle","coordinates":[[0,0],\#(n)]}"#), n)
        }
    }

    func testInvalidJSON() {
        let good = #"{"type":"AeroCircle","coordinates":[[-122.0,37.5],1000]}"#
        XCTAssertNotNil(geo(good))
        let bytes = Array(good.utf8)
        for n in 0..<bytes.count {
            XCTAssertNil(geo(bytes: Array(bytes[0..<n])), "truncated at \(n)")
        }
        XCTAssertNil(geo(good + "x"))
        XCTAssertNil(geo(good + good))
        XCTAssertNil(geo(#"{"type":"Point","coordinates":[1,2],}"#))
        XCTAssertNil(geo(#"{"type":'Point',"coordinates":[1,2]}"#))
        XCTAssertNil(geo(bytes: Array(#"{"type":"Point","coordinates":[1,2],"p":""#.utf8) + [0xff, 0x22, 0x7d]))
        XCTAssertNil(geo(bytes: []))
        XCTAssertEqual(geo(good + " \n"), .circle(center: pt(-122, 37.5), radiusMeters: 1000))
    }

    func testDeepNestingIsRejectedWithoutCrashing() {
        let n = 100_000
        let arrays = #"{"type":"Point","coordinates":"# + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "}"
        XCTAssertNil(geo(arrays))
        let objects = #"{"type":"Point","coordinates":[1,2],"p":"# + String(repeating: #"{"a":"#, count: n) + "0" + String(repeating: "}", count: n) + "}"
        XCTAssertNil(geo(objects))
        XCTAssertNil(geo(String(repeating: "[", count: n)))
        XCTAssertNil(geo(String(repeating: "{\"a\":", count: n)))
    }

    func testFuzzedInputNeverCrashes() {
        // Deterministic pseudo-random mutations of valid documents: whatever comes back, no trap.
        let seeds = [
            #"{"type":"Polygon","coordinates":[[[170,-10],[-170,-10],[-170,10],[170,10],[170,-10]]]}"#,
            #"{"type":"Feature","geometry":{"type":"AeroCircle","coordinates":[[1.5e1,-2],3]},"p":"\u00e9\ud83d\ude00"}"#,
        ].map { Array($0.utf8) }
        let alphabet = Array(#"{}[],:"\u0123456789eE+-.truefalsenull "#.utf8) + [0x00, 0x80, 0xc3, 0xed, 0xf4, 0xff]
        var state: UInt64 = 0x9e3779b97f4a7c15
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(truncatingIfNeeded: state >> 1)
        }
        for i in 0..<20_000 {
            var b = seeds[i % seeds.count]
            for _ in 0...(next() % 4) {
                let at = next() % b.count
                switch next() % 3 {
                case 0: b[at] = alphabet[next() % alphabet.count]
                case 1: b.insert(alphabet[next() % alphabet.count], at: at)
                default: if b.count > 1 { b.remove(at: at) }
                }
            }
            if let shape = geo(bytes: b) {
                _ = Geo.matches(shape, .point(lng: 175, lat: 0))
                _ = Geo.matches(.point(lng: 15, lat: -2), shape)
            }
        }
    }
}
