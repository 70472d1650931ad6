import XCTest
import AeroCDT

final class MsgPackTests: XCTestCase {
    func testIntegersRoundTripInShortestForm() throws {
        let cases: [(Int64, [UInt8])] = [
            (0, [0x00]), (127, [0x7f]), (128, [0xcc, 0x80]), (255, [0xcc, 0xff]), (256, [0xcd, 0x01, 0x00]),
            (65536, [0xce, 0, 1, 0, 0]), (1 << 32, [0xcf, 0, 0, 0, 1, 0, 0, 0, 0]),
            (-1, [0xff]), (-32, [0xe0]), (-33, [0xd0, 0xdf]), (-129, [0xd1, 0xff, 0x7f]),
            (Int64.min, [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
        ]
        for (v, enc) in cases {
            XCTAssertEqual(MP.int(v), enc, "\(v)")
            let h = try enc.withReader { r throws(CDTError) in try r.next() }
            XCTAssertEqual(h.int, v)
        }
        // A client's fixed 9-byte form reads as the same integer.
        let h = try [0xd3, 0, 0, 0, 0, 0, 0, 0, 5].withReader { r throws(CDTError) in try r.next() }
        XCTAssertEqual(h.int, 5)
        XCTAssertEqual(h.kind, .int)
    }

    func testStringsCarryTheirParticleType() throws {
        XCTAssertEqual(MP.string("ab"), [0xa3, 0x03, 0x61, 0x62])
        let h = try MP.string("ab").withReader { r throws(CDTError) in try r.next() }
        XCTAssertEqual(h.kind, .string)
        let blob = try [0xa3, 0x04, 0x01, 0x02].withReader { r throws(CDTError) in try r.next() }
        XCTAssertEqual(blob.kind, .bytes)
        let geo = try [0xa2, 0x17, 0x7b].withReader { r throws(CDTError) in try r.next() }
        XCTAssertEqual(geo.kind, .geojson)
    }

    func testValidateRejectsTruncatedAndHostileInput() {
        func bad(_ b: [UInt8], _ line: UInt = #line) {
            XCTAssertThrowsError(try b.withBytes { (r: UnsafeRawBufferPointer) throws(CDTError) in try MPReader.validate(r) }, line: line)
        }
        bad([])
        bad([0x92, 0x01])                      // list of 2 with 1 element
        bad([0xdd, 0xff, 0xff, 0xff, 0xff])    // 4 billion elements announced
        bad([0xdb, 0x7f, 0xff, 0xff, 0xff])    // string longer than the buffer
        bad([0xc1])                            // never-used byte
        bad([0x01, 0x02])                      // trailing bytes
        // 100,000 levels of nesting: rejected without recursion.
        bad([UInt8](repeating: 0x91, count: 100_000) + [0x01])
        XCTAssertNoThrow(try MP.list([MP.int(1), MP.map([(MP.string("a"), MP.nil_)])]).withBytes {
            (r: UnsafeRawBufferPointer) throws(CDTError) in try MPReader.validate(r)
        })
    }

    func testSkipIsIterative() throws {
        let deep = [UInt8](repeating: 0x91, count: 200_000) + [0x01]
        try deep.withReader { r throws(CDTError) in try r.skip(); XCTAssertTrue(r.atEnd) }
    }
}

final class ValueOrderTests: XCTestCase {
    func cmp(_ a: [UInt8], _ b: [UInt8]) -> Int { ValueOrder.compare(a, b) }

    func testOrderAcrossKinds() {
        let ordered: [[UInt8]] = [
            MP.nil_, MP.bool(false), MP.bool(true), MP.int(-5), MP.int(-1), MP.int(0), MP.int(7),
            MP.string(""), MP.string("a"), MP.string("ab"), MP.string("b"),
            MP.list([]), MP.list([MP.int(1)]), MP.list([MP.int(1), MP.int(0)]), MP.list([MP.int(2)]),
            MP.map([]), MP.map([(MP.int(9), MP.int(9))]), MP.map([(MP.int(1), MP.int(1)), (MP.int(2), MP.int(2))]),
            [0xa2, 0x04, 0x00], MP.double(-1.5), MP.double(2.0), [0xa2, 0x17, 0x7b], MP.infinity,
        ]
        for i in ordered.indices {
            for j in ordered.indices {
                let expect = i == j ? 0 : (i < j ? -1 : 1)
                XCTAssertEqual(cmp(ordered[i], ordered[j]), expect, "\(i) vs \(j)")
            }
        }
    }

    func testWildcardMatchesAnything() {
        XCTAssertEqual(cmp(MP.wildcard, MP.int(3)), 0)
        XCTAssertEqual(cmp(MP.list([MP.string("a"), MP.wildcard]), MP.list([MP.string("a"), MP.int(1), MP.int(2)])), 0)
        XCTAssertEqual(cmp(MP.list([MP.string("b"), MP.wildcard]), MP.list([MP.string("a"), MP.int(1)])), 1)
    }

    func testIntegersNeverEqualDoubles() {
        XCTAssertEqual(cmp(MP.int(1_000_000), MP.double(0.5)), -1)
        XCTAssertEqual(cmp([0xd3, 0, 0, 0, 0, 0, 0, 0, 5], MP.int(5)), 0)
    }
}

final class CollectionTests: XCTestCase {
    func testUnorderedMapsAreKeptInKeyOrder() throws {
        let raw = MP.map([(MP.string("c"), MP.int(1)), (MP.string("a"), MP.int(2)), (MP.string("b"), MP.int(3)), (MP.string("a"), MP.int(4))])
        let m = try CDTMap.parse(raw)
        XCTAssertEqual(m.entries.map(\.key), [MP.string("a"), MP.string("b"), MP.string("c")])
        XCTAssertEqual(m.entries[0].value, MP.int(4), "a repeated key keeps its last value")
        XCTAssertEqual(m.encode(), MP.map([(MP.string("a"), MP.int(4)), (MP.string("b"), MP.int(3)), (MP.string("c"), MP.int(1))]))
        XCTAssertEqual(m.find(key: MP.string("b")).index, 1)
        XCTAssertEqual(m.find(key: MP.string("bb")).found, false)
    }

    func testOrderedMarkersAndPersistFlag() throws {
        let stored: [UInt8] = [0x93, 0xc7, 0x00, 0x11, 0x01, 0x02]
        let l = try CDTList.parse(stored)
        XCTAssertTrue(l.isOrdered)
        XCTAssertEqual(l.items, [MP.int(1), MP.int(2)])
        // Stored with PERSIST_INDEX, the marker carries the offset index (two u32 offsets).
        XCTAssertEqual(l.encode(), [0x93, 0xc9, 0, 0, 0, 8, 0x11, 15, 0, 0, 0, 16, 0, 0, 0, 0x01, 0x02])
        XCTAssertEqual(try CDTList.parse(l.encode()), l)
        XCTAssertEqual(l.encode(forClient: true), [0x93, 0xc7, 0x00, 0x01, 0x01, 0x02])
        let km = try CDTMap.parse([0x82, 0xc7, 0x00, 0x01, 0xc0, 0x01, 0x02])
        XCTAssertEqual(km.flags, 1)
        XCTAssertEqual(km.entries.count, 1)
        XCTAssertThrowsError(try CDTList.parse(MP.int(3))) { XCTAssertEqual($0 as? CDTError, .incompatibleType) }
    }

    func testStableSort() {
        let pairs = [(2, "a"), (1, "b"), (2, "c"), (1, "d"), (0, "e")]
        XCTAssertEqual(stableSorted(pairs) { $0.0 < $1.0 }.map(\.1), ["e", "b", "d", "a", "c"])
    }
}
