import XCTest
import AeroCDT

/// A msgpack value written as a Swift literal (test input and expected results).
fileprivate indirect enum MV: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    case int(Int64), str(String), dbl(Double), bool(Bool), list([MV]), map([(MV, MV)]), nil_, raw([UInt8])
    /// A map with an ext marker: 0x08 KEY_VALUE results, 0x01 ORDERED_MAP / K-ordered, 0x03 KV.
    case flagged(UInt8, [(MV, MV)])

    init(integerLiteral v: Int64) { self = .int(v) }
    init(stringLiteral v: String) { self = .str(v) }
    init(floatLiteral v: Double) { self = .dbl(v) }
    init(booleanLiteral v: Bool) { self = .bool(v) }
    init(arrayLiteral xs: MV...) { self = .list(xs) }
    init(dictionaryLiteral xs: (MV, MV)...) { self = .map(xs) }
    init(nilLiteral: ()) { self = .nil_ }

    var bytes: [UInt8] {
        switch self {
        case .int(let v): return MP.int(v)
        case .str(let s): return MP.string(s)
        case .dbl(let d): return MP.double(d)
        case .bool(let b): return MP.bool(b)
        case .nil_: return MP.nil_
        case .raw(let b): return b
        case .list(let xs): return MP.list(xs.map(\.bytes))
        case .map(let ps): return MP.map(ps.map { ($0.0.bytes, $0.1.bytes) })
        case .flagged(let f, let ps):
            var w = MPWriter()
            w.appendMapHeader(ps.count + 1)
            w.appendExtMarker(f)
            w.appendNil()
            for (k, v) in ps { w.appendRaw(k.bytes); w.appendRaw(v.bytes) }
            return w.bytes
        }
    }
}

/// KEY_VALUE result: a map with ext flags 0x08.
fileprivate func kv(_ m: MV) -> MV {
    if case .map(let ps) = m { return .flagged(0x08, ps) }
    return m
}

/// Op codes (cdt.md 4) and return types (cdt.md 5).
fileprivate enum Op {
    static let setType = 64, add = 65, addItems = 66, put = 67, putItems = 68, replace = 69, replaceItems = 70
    static let increment = 73, decrement = 74, clear = 75
    static let removeByKey = 76, removeByIndex = 77, removeByValue = 78, removeByRank = 79
    static let removeByKeyList = 81, removeAllByValue = 82, removeByValueList = 83, removeByKeyInterval = 84
    static let removeByIndexRange = 85, removeByValueInterval = 86, removeByRankRange = 87
    static let removeByKeyRelIndexRange = 88, removeByValueRelRankRange = 89
    static let size = 96, getByKey = 97, getByIndex = 98, getByValue = 99, getByRank = 100
    static let getAllByValue = 102, getByKeyInterval = 103, getByIndexRange = 104, getByValueInterval = 105
    static let getByRankRange = 106, getByKeyList = 107, getByValueList = 108
    static let getByKeyRelIndexRange = 109, getByValueRelRankRange = 110
}
fileprivate enum RT {
    static let none: MV = 0, index: MV = 1, revIndex: MV = 2, rank: MV = 3, revRank: MV = 4, count: MV = 5
    static let key: MV = 6, value: MV = 7, keyValue: MV = 8, exists: MV = 13, umap: MV = 16, omap: MV = 17
    static func inv(_ t: MV) -> MV { if case .int(let v) = t { return .int(v | 0x10000) }; return t }
}

final class MapOpsTests: XCTestCase {
    // MARK: helpers

    private func mk(_ m: MV) -> CDTMap? { try! CDTMap.parse(m.bytes) }

    @discardableResult
    private func op(_ map: inout CDTMap?, _ code: Int, _ args: MV...) throws -> [UInt8]? {
        try MapOps.apply(code: code, args: OpArgs(args.map(\.bytes)), to: &map)
    }
    /// Runs a read (or any op) on a copy and compares the result with `expected` (nil = none).
    private func check(_ map: CDTMap?, _ code: Int, _ args: [MV], _ expected: MV?, file: StaticString = #filePath, line: UInt = #line) {
        var m = map
        do {
            let r = try MapOps.apply(code: code, args: OpArgs(args.map(\.bytes)), to: &m)
            XCTAssertEqual(r.map(hex), expected.map { hex($0.bytes) }, file: file, line: line)
        } catch {
            XCTFail("op \(code) \(args) threw \(error)", file: file, line: line)
        }
    }
    /// Expects error `code` and an unchanged map.
    private func fails(_ code: UInt8, _ map: CDTMap?, _ op: Int, _ args: MV..., file: StaticString = #filePath, line: UInt = #line) {
        var m = map
        do {
            let r = try MapOps.apply(code: op, args: OpArgs(args.map(\.bytes)), to: &m)
            XCTFail("op \(op) returned \(r.map(hex) ?? "nil"), expected error \(code)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.code, code, file: file, line: line)
        }
        XCTAssertEqual(m, map, "map changed by a failing op", file: file, line: line)
    }
    private func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
    private func bytes(_ h: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = h.startIndex
        while i < h.endIndex {
            let j = h.index(i, offsetBy: 2)
            out.append(UInt8(h[i..<j], radix: 16)!)
            i = j
        }
        return out
    }
    private func content(_ m: CDTMap?) -> String? { m.map { hex($0.encode(forClient: true)) } }

    // MARK: captures (python client, cdt scenario)

    func testPythonClientMapOpsCapture() throws {
        var m = mk(["a": 1, "b": 2, "c": 3])
        XCTAssertEqual(try op(&m, Op.put, "d", 4, 0), MP.int(4))
        XCTAssertEqual(try op(&m, Op.putItems, ["e": 5, "f": 6], 0), MP.int(6))
        XCTAssertEqual(try op(&m, Op.getByKey, RT.value, "a"), MP.int(1))
        // GET_BY_RANK_RANGE(-2, 2) KEY_VALUE: byte for byte what asd sent.
        XCTAssertEqual(try op(&m, Op.getByRankRange, RT.keyValue, -2, 2).map(hex), "83c70008c0a2036505a2036606")
        XCTAssertEqual(try op(&m, Op.increment, "a", 10, 0), MP.int(11))
        XCTAssertEqual(try op(&m, Op.size), MP.int(6))
        // map-inverted: REMOVE_BY_KEY_LIST [a, b] KEY|INVERTED.
        XCTAssertEqual(try op(&m, Op.removeByKeyList, RT.inv(RT.key), ["a", "b"]).map(hex), "94a20363a20364a20365a20366")
        XCTAssertEqual(content(m), "82a203610ba2036202")
    }

    func testPersistIndexKeyOrderedCapture() throws {
        var m: CDTMap? = nil
        XCTAssertNil(try op(&m, Op.setType, 0x11))
        XCTAssertEqual(m?.flags, 0x11)
        XCTAssertEqual(try op(&m, Op.putItems, ["x": 24, "y": 25, "z": 26], 1), MP.int(3))
        XCTAssertEqual(try op(&m, Op.getByIndexRange, RT.keyValue, 0, 2).map(hex), "83c70008c0a2037818a2037919")
        XCTAssertEqual(content(m), "84c70001c0a2037818a2037919a2037a1a")
    }

    func testPutWithAttributesCreatesOrderedMapCapture() throws {
        var m: CDTMap? = nil
        XCTAssertEqual(try op(&m, Op.put, "k", 1, 3), MP.int(1))
        XCTAssertEqual(m?.flags, 3)
        XCTAssertEqual(try op(&m, Op.getByKey, RT.omap, "k").map(hex), "82c70001c0a2036b01")
        // Attributes only count when the op creates the map.
        XCTAssertEqual(try op(&m, Op.put, "j", 2, 0), MP.int(2))
        XCTAssertEqual(m?.flags, 3)
    }

    // MARK: probes (asd CE 8.1.2.0)

    func testRankTiesAndResultOrdersProbe() {
        let m = mk(["a": 2, "b": 0, "c": 1, "d": 1])
        check(m, Op.getByRankRange, [RT.key, 0, 3], ["b", "c", "d"])
        check(m, Op.getByRankRange, [RT.value, 0, 4], [0, 1, 1, 2])
        check(m, Op.getByRankRange, [RT.index, 0, 4], [1, 2, 3, 0])
        check(m, Op.getByRankRange, [RT.keyValue, 0, 3], .raw(bytes("84c70008c0a2036200a2036301a2036401")))
        check(m, Op.getByRank, [RT.key, 1], "c")
        check(m, Op.getByRank, [RT.key, 2], "d")
        check(m, Op.getByIndexRange, [RT.key, 0, 4], ["a", "b", "c", "d"])
        check(m, Op.getByValueInterval, [RT.key, 0, 2], ["b", "c", "d"])
        XCTAssertEqual(content(m), "84a2036102a2036200a2036301a2036401")
    }

    func testRankTiesFollowKeyOrder() {
        // cdt.md 7: {a:3,b:1,c:3,d:1,e:2}: ranks 0..4 → b,d,e,a,c; rank -1 → c.
        let m = mk(["e": 2, "c": 3, "a": 3, "d": 1, "b": 1])
        for (r, k) in ["b", "d", "e", "a", "c"].enumerated() { check(m, Op.getByRank, [RT.key, MV.int(Int64(r))], MV.str(k)) }
        check(m, Op.getByRank, [RT.key, -1], "c")
        check(m, Op.getByRank, [RT.rank, -1], 4)
        check(m, Op.getByRank, [RT.revRank, -1], 0)
        check(m, Op.getByKey, [RT.rank, "a"], 3)
        check(m, Op.getByKey, [RT.revRank, "a"], 1)
        check(m, Op.getByValue, [RT.key, 3], "a")
        check(m, Op.getAllByValue, [RT.key, 3], ["a", "c"])
        check(m, Op.getAllByValue, [RT.rank, 3], [3, 4])
        var x = m
        XCTAssertEqual(try op(&x, Op.removeByRank, RT.key, -1), MP.string("c"))
        XCTAssertEqual(content(x), hex(MV.map([("a", 3), ("b", 1), ("d", 1), ("e", 2)]).bytes))
    }

    func testNotFoundResultsPerReturnType() {
        let m = mk(["a": 1, "b": 2])
        check(m, Op.getByKey, [RT.value, "zz"], nil)
        check(m, Op.getByKey, [RT.key, "zz"], nil)
        check(m, Op.getByKey, [RT.index, "zz"], -1)
        check(m, Op.getByKey, [RT.rank, "zz"], -1)
        check(m, Op.getByKey, [RT.count, "zz"], 0)
        check(m, Op.getByKey, [RT.exists, "zz"], false)
        check(m, Op.getByKey, [RT.keyValue, "zz"], .raw([0x81, 0xc7, 0x00, 0x08, 0xc0]))
        check(m, Op.getByKey, [RT.umap, "zz"], .raw([0x80]))
        check(m, Op.getByKey, [RT.omap, "zz"], .raw([0x81, 0xc7, 0x00, 0x01, 0xc0]))
        check(m, Op.getByKey, [RT.none, "a"], nil)
        check(m, Op.getByKeyList, [RT.value, ["zz"]], [])
        check(m, Op.getByValue, [RT.key, 9], nil)
        check(m, Op.getByValue, [RT.index, 9], -1)
        check(m, Op.getAllByValue, [RT.key, 9], [])
        check(m, Op.getAllByValue, [RT.count, 9], 0)
        // A double key is never stored, so reading by one just finds nothing.
        check(m, Op.getByKey, [RT.value, 1.5], nil)
        check(m, Op.getByKeyInterval, [RT.keyValue, "x"], kv([:]))
        check(m, Op.getByIndexRange, [RT.value, 5], [])
        check(m, Op.getByRankRange, [RT.index, 5, 1], [])
    }

    func testInvertedSingleItemOpsAre26() {
        let m = mk(["a": 1, "b": 2])
        fails(26, m, Op.getByKey, RT.inv(RT.value), "a")
        fails(26, m, Op.getByKey, RT.inv(RT.value), "zz")
        fails(26, m, Op.getByIndex, RT.inv(RT.value), 0)
        fails(26, m, Op.getByRank, RT.inv(RT.value), 0)
        fails(26, m, Op.getByValue, RT.inv(RT.key), 1)
        fails(26, m, Op.removeByKey, RT.inv(RT.value), "a")
        fails(26, m, Op.removeByIndex, RT.inv(RT.value), 0)
    }

    func testSingleItemOutOfRangeIs26() {
        let m = mk(["a": 1, "b": 2])
        fails(26, m, Op.getByIndex, RT.value, 2)
        fails(26, m, Op.getByIndex, RT.value, -3)
        fails(26, m, Op.getByRank, RT.value, 2)
        fails(26, m, Op.removeByIndex, RT.value, 5)
        fails(26, mk([:]), Op.getByIndex, RT.value, 0)
        check(m, Op.getByIndex, [RT.key, -1], "b")
        check(m, Op.getByIndex, [RT.revIndex, 0], 1)
    }

    // MARK: writes

    func testWriteFlags() {
        let m = mk(["a": 1, "b": 2])
        fails(24, m, Op.put, "a", 9, 0, 1)                 // CREATE_ONLY, key exists
        fails(23, m, Op.put, "q", 9, 0, 2)                 // UPDATE_ONLY, key missing
        check(m, Op.put, ["q", 9, 0, 6], 2)                // UPDATE_ONLY|NO_FAIL: skipped, size
        check(m, Op.put, ["a", 9, 0, 5], 2)                // CREATE_ONLY|NO_FAIL
        check(m, Op.put, ["a", 9, 0, 2], 2)                // UPDATE_ONLY on an existing key
        check(m, Op.put, ["q", 9, 0, 1], 3)
        fails(24, m, Op.add, "a", 9)
        check(m, Op.add, ["c", 3], 3)
        fails(23, m, Op.replace, "zz", 9)
        check(m, Op.replace, ["a", 7], 2)
        var x = m
        XCTAssertEqual(try op(&x, Op.put, "q", 9, 0, 6), MP.int(2))
        XCTAssertEqual(x, m)
        XCTAssertEqual(try op(&x, Op.replace, "a", 7), MP.int(2))
        XCTAssertEqual(content(x), hex(MV.map([("a", 7), ("b", 2)]).bytes))
    }

    func testPutItemsWriteFlags() throws {
        let m = mk(["a": 1, "b": 2])
        let items: MV = ["c": 3, "a": 9]
        fails(24, m, Op.putItems, items, 0, 1)            // CREATE_ONLY: a exists, nothing written
        fails(24, m, Op.putItems, items, 0, 9)            // DO_PARTIAL without NO_FAIL still fails
        fails(24, m, Op.addItems, items)
        fails(23, m, Op.replaceItems, items)
        check(m, Op.putItems, [items, 0, 5], 2)           // CREATE_ONLY|NO_FAIL: whole op skipped
        var x = m
        XCTAssertEqual(try op(&x, Op.putItems, items, 0, 5), MP.int(2))
        XCTAssertEqual(x, m)
        XCTAssertEqual(try op(&x, Op.putItems, items, 0, 13), MP.int(3))   // |DO_PARTIAL: c goes in
        XCTAssertEqual(content(x), hex(MV.map([("a", 1), ("b", 2), ("c", 3)]).bytes))
        x = m
        XCTAssertEqual(try op(&x, Op.putItems, items, 0, 14), MP.int(2))   // UPDATE_ONLY|NO_FAIL|DO_PARTIAL
        XCTAssertEqual(content(x), hex(MV.map([("a", 9), ("b", 2)]).bytes))
        x = m
        XCTAssertEqual(try op(&x, Op.replaceItems, ["b": 5]), MP.int(2))
        XCTAssertEqual(try op(&x, Op.addItems, ["z": 0]), MP.int(3))
        XCTAssertEqual(try op(&x, Op.putItems, [:]), MP.int(3))
        XCTAssertEqual(content(x), hex(MV.map([("a", 1), ("b", 5), ("z", 0)]).bytes))
        // A repeated key or a bad key anywhere in the items → 4.
        fails(4, m, Op.putItems, .raw(bytes("82a2036301a2036302")), 0)
        fails(4, m, Op.putItems, .map([("x", 1), (1.5, 2)]), 0)
        fails(4, m, Op.putItems, ["x", 1], 0)
    }

    func testWritesOnMissingMap() throws {
        var m: CDTMap? = nil
        fails(23, nil, Op.replace, "a", 1)
        fails(23, nil, Op.replaceItems, ["a": 1])
        fails(23, nil, Op.replaceItems, "not even a map")   // refused before its argument is read
        fails(4, nil, Op.put, 1.5, 1)
        // Removes and CLEAR are no-ops even with bad arguments; reads have no result.
        for code in [Op.removeByKey, Op.removeByIndexRange, Op.removeByValueList, Op.clear] {
            XCTAssertNil(try op(&m, code, "junk"))
            XCTAssertNil(m)
        }
        for code in [Op.size, Op.getByKey, Op.getByIndexRange, Op.getByRankRange] {
            XCTAssertNil(try op(&m, code, RT.value, 0))
        }
        // A skipped PUT still creates the (empty) map.
        XCTAssertEqual(try op(&m, Op.put, "q", 1, 1, 6), MP.int(0))
        XCTAssertEqual(m, CDTMap(flags: 1))
        m = nil
        XCTAssertEqual(try op(&m, Op.put, "q", 1, 0x04), MP.int(1))   // invalid attributes → unordered
        XCTAssertEqual(m?.flags, 0)
        m = nil
        XCTAssertEqual(try op(&m, Op.addItems, ["b": 1, "a": 2], 3), MP.int(2))
        XCTAssertEqual(content(m), hex(MV.flagged(3, [("a", 2), ("b", 1)]).bytes))
        // asd 8.1.2 quirk: UPDATE_ONLY|NO_FAIL|DO_PARTIAL on an empty map puts every item.
        m = nil
        XCTAssertEqual(try op(&m, Op.putItems, ["a": 1], 0, 14), MP.int(1))
        m = nil
        XCTAssertEqual(try op(&m, Op.putItems, ["a": 1], 0, 6), MP.int(0))
        XCTAssertEqual(m, CDTMap())
    }

    func testKeyTypes() throws {
        let m = mk(["a": 1])
        for key: MV in [1.5, [1], ["a": 1], true, nil, .raw([0xa1, 0x17]), .raw([0xa2, 0x07, 0x01]), .raw([0xa0])] {
            fails(4, m, Op.put, key, "v", 0)
            fails(4, m, Op.increment, key, 1)
        }
        fails(4, m, Op.put, .raw(MP.wildcard), "v")
        fails(4, m, Op.put, "k", .raw(MP.wildcard))
        fails(4, m, Op.put, "k", [1, .raw(MP.infinity)])
        var x: CDTMap? = nil
        XCTAssertEqual(try op(&x, Op.put, .raw([0xa3, 0x04, 0x01, 0x02]), "v", 0), MP.int(1))
        XCTAssertEqual(content(x), "81a3040102a20376")   // probe map-put-blob-key
        XCTAssertEqual(try op(&x, Op.put, -5, "n"), MP.int(2))
        XCTAssertEqual(try op(&x, Op.put, "s", "t"), MP.int(3))
        // Key order: ints, then strings, then blobs.
        check(x, Op.getByIndexRange, [RT.key, 0], [-5, "s", .raw([0xa3, 0x04, 0x01, 0x02])])
    }

    func testStoredFormIsCanonical() throws {
        var m: CDTMap? = nil
        // d3-form int key, cd-form value, bin-header blob: stored in the shortest forms.
        XCTAssertEqual(try op(&m, Op.put, .raw([0xd3, 0, 0, 0, 0, 0, 0, 0, 5]), .raw([0xcd, 0, 7])), MP.int(1))
        XCTAssertEqual(try op(&m, Op.put, .raw([0xc4, 0x02, 0x04, 0x09]), .raw([0xda, 0x00, 0x02, 0x03, 0x61])), MP.int(2))
        XCTAssertEqual(content(m), "820507a20409a20361")
        // The same key in another encoding is the same key.
        XCTAssertEqual(try op(&m, Op.put, .raw([0xcc, 0x05]), 8), MP.int(2))
        // Nested: unordered maps sorted, persist bits dropped, ints compacted.
        XCTAssertEqual(try op(&m, Op.put, "n", .raw(bytes("82a20362cd0001a2036102")), 0), MP.int(3))
        check(m, Op.getByKey, [RT.value, "n"], ["a": 2, "b": 1])
        XCTAssertEqual(try op(&m, Op.put, "l", .raw(bytes("93c7001101d30000000000000002"))), MP.int(4))
        check(m, Op.getByKey, [RT.value, "l"], .raw(bytes("93c700010102")))
        // Refused: nested repeated key, bad nested key, out-of-order ordered list / K-map.
        let before = m
        fails(4, before, Op.put, "x", .raw(bytes("82a2036101a2036102")))
        fails(4, before, Op.put, "x", .raw(bytes("81cb3ff000000000000001")))
        fails(4, before, Op.put, "x", .raw(bytes("93c700010201")))
        fails(4, before, Op.put, "x", .raw(bytes("83c70001c0a2036201a2036102")))
    }

    func testIncrement() throws {
        // Probe map-increment-*: {n:1, s:"x"}.
        var m = mk(["n": 1, "s": "x"])
        XCTAssertEqual(try op(&m, Op.increment, "z", 5), MP.int(5))
        XCTAssertEqual(try op(&m, Op.increment, "y"), MP.int(1))
        fails(4, m, Op.increment, "s", 1)
        XCTAssertEqual(try op(&m, Op.increment, "n", 2.5), MP.int(3))
        XCTAssertEqual(content(m), "84a2036e03a20373a20378a2037901a2037a05")
        XCTAssertEqual(try op(&m, Op.decrement, "n", 5), MP.int(-2))
        XCTAssertEqual(try op(&m, Op.increment, "n", -3, 0), MP.int(-5))
        XCTAssertEqual(try op(&m, Op.decrement, "y"), MP.int(0))
        XCTAssertEqual(try op(&m, Op.increment, "d", 1.5), MP.double(1.5))
        XCTAssertEqual(try op(&m, Op.increment, "d", 2), MP.double(3.5))
        XCTAssertEqual(try op(&m, Op.increment, "d"), MP.double(4.5))
        XCTAssertEqual(try op(&m, Op.increment, "y", nil), MP.int(1))
        fails(4, m, Op.increment, "n", "1")
        fails(4, m, Op.increment, "n", [1])
        fails(4, m, Op.increment)
        XCTAssertEqual(try op(&m, Op.increment, "big", .int(Int64.max)), [0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
        XCTAssertEqual(try op(&m, Op.increment, "big", 1), MP.int(Int64.min))   // wraps like the server's int64
        var x: CDTMap? = nil
        XCTAssertEqual(try op(&x, Op.increment, "a", 2, 1), MP.int(2))
        XCTAssertEqual(x?.flags, 1)
    }

    func testSetTypeAndClear() throws {
        var m = mk(["b": 2, "a": 1])
        XCTAssertNil(try op(&m, Op.setType, 3))
        XCTAssertEqual(content(m), hex(MV.flagged(3, [("a", 1), ("b", 2)]).bytes))
        fails(26, m, Op.setType, 0x04)
        fails(26, m, Op.setType, 0x21)
        fails(4, m, Op.setType)
        fails(4, m, Op.setType, "x")
        XCTAssertNil(try op(&m, Op.setType, 0))
        XCTAssertEqual(content(m), hex(MV.map([("a", 1), ("b", 2)]).bytes))
        XCTAssertNil(try op(&m, Op.setType, 1))
        XCTAssertNil(try op(&m, Op.clear))
        XCTAssertEqual(m, CDTMap(flags: 1))
        // Removing the last entry leaves an empty map (probe map-remove-last).
        var r = mk(["a": 1])
        XCTAssertEqual(try op(&r, Op.removeByKey, RT.value, "a"), MP.int(1))
        XCTAssertEqual(content(r), "80")
    }

    func testUnknownCodesAndBadArguments() {
        let m = mk(["a": 1])
        for code in [63, 71, 72, 80, 90, 95, 101, 111, 127, 200] { fails(4, m, code, RT.value, 0) }
        fails(4, nil, 71)
        check(nil, 101, [RT.value, 0], nil)                   // a read of a missing map: no result
        fails(4, m, Op.getByKey, RT.value)                    // too few
        fails(4, m, Op.getByKey, RT.value, "a", "b")          // too many
        fails(4, m, Op.getByIndexRange, RT.value, 0, 1, 2)
        fails(4, m, Op.getByIndex, RT.value, "x")
        fails(4, m, Op.getByIndex, "x", 0)
        fails(4, m, Op.getByKeyList, RT.value, "a")
        fails(4, m, Op.put, "a")
        fails(4, m, Op.put, "a", 1, 0, 0, 0)
        fails(4, m, Op.replace, "a", 1, 0)
        fails(4, m, Op.increment, "a", 1, 0, 0)
        XCTAssertTrue(MapOps.isModify(64) && MapOps.isModify(89))
        XCTAssertFalse(MapOps.isModify(96) || MapOps.isModify(63) || MapOps.isModify(90))
    }

    // MARK: selections

    func testRelativeIndexAndRankRanges() {
        // cdt.md 7: map {0:17, 4:2, 5:15, 9:10}.
        let m = mk([9: 10, 0: 17, 5: 15, 4: 2])
        let cases: [([MV], MV)] = [
            ([5, 0], [5: 15, 9: 10]), ([5, 1], [9: 10]), ([5, -1], [4: 2, 5: 15, 9: 10]), ([3, 2], [9: 10]),
            ([3, -2], [0: 17, 4: 2, 5: 15, 9: 10]), ([5, 0, 1], [5: 15]), ([5, 1, 2], [9: 10]),
            ([5, -1, 1], [4: 2]), ([3, 2, 1], [9: 10]), ([3, -2, 2], [0: 17]),
        ]
        for (args, expected) in cases {
            check(m, Op.getByKeyRelIndexRange, [RT.keyValue] + args, kv(expected))
        }
        // Value relative rank ranges come in rank order.
        let rel: [([MV], MV)] = [
            ([11, 1], [0: 17]), ([11, -1], [9: 10, 5: 15, 0: 17]), ([11, 1, 1], [0: 17]), ([11, -1, 1], [9: 10]),
        ]
        for (args, expected) in rel {
            check(m, Op.getByValueRelRankRange, [RT.keyValue] + args, kv(expected))
        }
        check(m, Op.getByValueRelRankRange, [RT.value, 11, -1], [10, 15, 17])
        check(m, Op.getByValueRelRankRange, [RT.umap, 11, -1], [9: 10, 5: 15, 0: 17])
        check(m, Op.getByValueRelRankRange, [RT.omap, 11, -1], .flagged(1, [(0, 17), (5, 15), (9, 10)]))
        var x = m
        XCTAssertEqual(try op(&x, Op.removeByKeyRelIndexRange, RT.count, 5, -1, 2), MP.int(2))
        XCTAssertEqual(content(x), hex(MV.map([(0, 17), (9, 10)]).bytes))
        x = m
        XCTAssertEqual(try op(&x, Op.removeByValueRelRankRange, RT.key, 10, 0), MP.list([MP.int(9), MP.int(5), MP.int(0)]))
        XCTAssertEqual(content(x), hex(MV.map([(4, 2)]).bytes))
    }

    func testIndexRangeClipping() {
        let m = mk(["a": 1, "b": 2, "c": 3, "d": 4, "e": 5])
        check(m, Op.getByIndexRange, [RT.key, -7, 5], ["a", "b", "c"])
        check(m, Op.getByIndexRange, [RT.key, -2], ["d", "e"])
        check(m, Op.getByIndexRange, [RT.key, 5], [])
        check(m, Op.getByIndexRange, [RT.key, 1, 0], [])
        check(m, Op.getByIndexRange, [RT.key, -9, 2], [])
        check(m, Op.getByIndexRange, [RT.key, 3, 10], ["d", "e"])
        check(m, Op.getByIndexRange, [RT.key, 1, -1], ["b", "c", "d", "e"])   // count read as uint64
        check(m, Op.getByIndexRange, [RT.count, 1, 2], 2)
        check(m, Op.getByIndexRange, [RT.index, 1, 2], [1, 2])
        check(m, Op.getByIndexRange, [RT.revIndex, 1, 2], [2, 3])        // a range: ascending
        check(m, Op.getByIndexRange, [RT.rank, 1, 2], [1, 2])
        check(m, Op.getByRankRange, [RT.value, -2], [4, 5])
        check(m, Op.getByRankRange, [RT.value, -7, 3], [1])
        check(m, Op.getByRankRange, [RT.value, -7, 2], [])
    }

    func testInvertedRanges() {
        // Rank order b(0) c(1) d(1) a(2).
        let m = mk(["a": 2, "b": 0, "c": 1, "d": 1])
        // A window touching an end is answered as the other part, in rank order...
        check(m, Op.getByRankRange, [RT.inv(RT.key), 0, 1], ["c", "d", "a"])
        // ...a middle window as everything outside it, in key order.
        check(m, Op.getByRankRange, [RT.inv(RT.key), 1, 2], ["a", "b"])
        check(m, Op.getByRankRange, [RT.inv(RT.rank), 1, 2], [0, 3])
        check(m, Op.getByRankRange, [RT.inv(RT.index), 1, 2], [0, 1])
        check(m, Op.getByRankRange, [RT.inv(RT.count), 1, 2], 2)
        check(m, Op.getByIndexRange, [RT.inv(RT.value), 1, 2], [2, 1])
        check(m, Op.getByIndexRange, [RT.inv(RT.index), 1, 2], [0, 3])
        check(m, Op.getByIndexRange, [RT.inv(RT.key), 0, 0], ["a", "b", "c", "d"])
        check(m, Op.getByKeyInterval, [RT.inv(RT.key), "b", "d"], ["a", "d"])
        check(m, Op.getByValueInterval, [RT.inv(RT.key), 1, 2], ["a", "b"])
        check(m, Op.getAllByValue, [RT.inv(RT.count), 7], 4)
        check(m, Op.getByKeyList, [RT.inv(RT.key), ["b", "zz"]], ["a", "c", "d"])
        check(m, Op.getByValueList, [RT.inv(RT.value), [1]], [2, 0])
        var x = m
        XCTAssertEqual(try op(&x, Op.removeByRankRange, RT.inv(RT.value), 1, 2), MP.list([MP.int(2), MP.int(0)]))
        XCTAssertEqual(content(x), hex(MV.map([("c", 1), ("d", 1)]).bytes))
    }

    func testReverseAndRankResults() {
        let m = mk(["a": 2, "b": 0, "c": 1, "d": 1])
        check(m, Op.getByRankRange, [RT.revIndex, 0, 2], [2, 1])     // per element, rank order
        check(m, Op.getByRankRange, [RT.revRank, 0, 2], [2, 3])      // a range: ascending
        check(m, Op.getByIndexRange, [RT.revRank, 0, 2], [0, 3])     // per element, key order
        check(m, Op.getByIndexRange, [RT.revIndex, 0, 4], [0, 1, 2, 3])
        check(m, Op.getByRank, [RT.index, 0], 1)
        check(m, Op.getByRank, [RT.revIndex, 0], 2)
        check(m, Op.getByIndex, [RT.rank, 0], 3)
        check(m, Op.getByValueInterval, [RT.rank, 1, 3], [1, 2, 3])
        check(m, Op.getByValueInterval, [RT.index, 1, 3], [0, 2, 3])
        check(m, Op.getByValueInterval, [RT.revIndex, 1, 3], [3, 1, 0])
        // Server-internal range result types: [start, count].
        check(m, Op.getByIndexRange, [9, 1, 2], [1, 2])
        check(m, Op.getByRankRange, [11, 1, 2], [1, 2])
        fails(26, m, Op.getByIndexRange, 11, 1, 2)
        fails(26, m, Op.getByRankRange, 9, 1, 2)
        fails(26, m, Op.getByKeyList, RT.rank, ["a"])
        fails(26, m, Op.getByIndexRange, 14, 0, 1)
    }

    func testValueSelectionsAndOrders() {
        let m = mk(["a": 2, "b": 0, "c": 1, "d": 1])
        // Value intervals answer in key order (asd's unordered path), rank ranges in rank order.
        check(m, Op.getByValueInterval, [RT.key, 1, 3], ["a", "c", "d"])
        check(m, Op.getByValueInterval, [RT.keyValue, 1], kv(["a": 2, "c": 1, "d": 1]))
        check(m, Op.getByValueInterval, [RT.key, nil, 1], ["b"])
        check(m, Op.getByValueInterval, [RT.key, 1, 1], [])
        check(m, Op.getByValueInterval, [RT.key, 1, .raw(MP.infinity)], ["a", "c", "d"])
        check(m, Op.getAllByValue, [RT.key, .raw(MP.wildcard)], ["a", "b", "c", "d"])
        check(m, Op.getByValueList, [RT.key, [1, 9, 2]], ["a", "c", "d"])
        check(m, Op.getByValueList, [RT.rank, [2, 1]], [3, 1, 2])     // per item, list order
        check(m, Op.getByValueList, [RT.count, []], 0)
        check(m, Op.getByValueList, [RT.inv(RT.count), []], 4)
        // KV-ordered with a persisted index: value selections in rank order.
        var p = m
        p?.flags = 0x13
        check(p, Op.getByValueInterval, [RT.key, 1, 3], ["c", "d", "a"])
        check(p, Op.getByValueInterval, [RT.index, 1, 3], [2, 3, 0])
        check(p, Op.getByValueInterval, [RT.omap, 1, 3], .flagged(1, [("a", 2), ("c", 1), ("d", 1)]))
        var x = m
        XCTAssertEqual(try op(&x, Op.removeAllByValue, RT.key, 1), MP.list([MP.string("c"), MP.string("d")]))
        XCTAssertEqual(try op(&x, Op.removeByValue, RT.index, 2), MP.int(0))
        XCTAssertEqual(try op(&x, Op.removeByValueInterval, RT.none, 0), nil)
        XCTAssertEqual(x?.count, 0)
    }

    func testKeySelections() {
        let m = mk(["a": 1, "b": 2, "c": 3])
        check(m, Op.getByKeyInterval, [RT.key, "b"], ["b", "c"])
        check(m, Op.getByKeyInterval, [RT.key, "a", "c"], ["a", "b"])
        check(m, Op.getByKeyInterval, [RT.key, "b", "b"], [])
        check(m, Op.getByKeyInterval, [RT.index, "b"], [1, 2])
        check(m, Op.getByKeyInterval, [RT.count, nil], 3)
        check(m, Op.getByKeyList, [RT.index, ["c", "a", "zz"]], [2, 0])
        check(m, Op.getByKeyList, [RT.index, ["a", "c", "a"]], [2, 0])  // unordered: a repeated key once
        check(m, Op.getByKeyList, [RT.value, ["c", "a", "c"]], [1, 3])
        check(m, Op.getByKeyList, [RT.exists, ["zz"]], false)
        check(m, Op.getByKeyList, [RT.umap, ["c", "a"]], ["a": 1, "c": 3])
        check(m, Op.getByKeyList, [RT.index, []], [])
        check(m, Op.getByKeyList, [RT.inv(RT.key), []], ["a", "b", "c"])
        var k = m
        k?.flags = 1
        check(k, Op.getByKeyList, [RT.index, ["a", "c", "a"]], [0, 2, 0])  // K-ordered: list order, repeats kept
        check(k, Op.getByKey, [RT.inv(RT.value), "zz"], nil)               // K-ordered, not found: no 26
        fails(26, k, Op.getByKey, RT.inv(RT.value), "a")
        check(k, Op.getByKeyInterval, [RT.keyValue, "b"], kv(["b": 2, "c": 3]))
        check(k, Op.getByKey, [RT.umap, "b"], ["b": 2])
        var x = m
        XCTAssertEqual(try op(&x, Op.removeByKeyInterval, RT.count, "b"), MP.int(2))
        XCTAssertEqual(try op(&x, Op.removeByKeyList, RT.key, ["zz"]), MP.list([]))
        XCTAssertEqual(content(x), hex(MV.map([("a", 1)]).bytes))
        x = m
        XCTAssertEqual(try op(&x, Op.removeByIndex, RT.keyValue, 1), kv(["b": 2]).bytes)
        XCTAssertEqual(try op(&x, Op.removeByIndexRange, RT.value, -1), MP.list([MP.int(3)]))
        XCTAssertEqual(content(x), hex(MV.map([("a", 1)]).bytes))
    }

    func testRankAcrossValueKinds() {
        // cdt.md 1.2: nil < false < true < -int < int < string < list < map < blob < double.
        let m = mk(["a": "s", "b": 1.5, "c": -1, "d": [1], "e": nil, "f": 2, "g": true, "h": ["k": 1], "i": 1.25])
        check(m, Op.getByRankRange, [RT.key, 0], ["e", "g", "c", "f", "a", "d", "h", "i", "b"])
        check(m, Op.getByValueInterval, [RT.key, 0, "zz"], ["a", "f"])
        check(m, Op.getByValueInterval, [RT.key, 1.0], ["b", "i"])
        check(m, Op.getByValueRelRankRange, [RT.key, 1.3, 0], ["b"])
        check(m, Op.getByValueRelRankRange, [RT.key, "a", -1, 2], ["f", "a"])
        check(m, Op.getAllByValue, [RT.key, [.raw(MP.wildcard)]], ["d"])
    }

    // MARK: randomized, against a dictionary

    private struct SplitMix {
        var s: UInt64
        mutating func next() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
    }

    /// cdt.md 7: `[index, index+count)` clipped to `[0, n)`, negative index from the end.
    private func window(_ n: Int, _ index: Int, _ count: Int?) -> Range<Int> {
        var i = index < 0 ? n + index : index
        var c = count ?? Int(UInt32.max)   // omitted: the server's UINT32_MAX
        if i >= n { return 0..<0 }
        if i < 0 { c += i; i = 0 }
        if c <= 0 { return 0..<0 }
        return i..<min(n, i + c)
    }

    func testRandomizedAgainstDictionary() throws {
        for seed in 1...6 {
            var rng = SplitMix(s: UInt64(seed))
            var model: [Int: Int] = [:]
            var map: CDTMap? = nil
            for step in 0..<600 {
                let ctx = "seed \(seed) step \(step)"
                let keys = model.keys.sorted()
                let k = rng.int(-20...40)
                switch rng.int(0...6) {
                case 0:
                    let v = rng.int(-4...4)
                    model[k] = v
                    XCTAssertEqual(try op(&map, Op.put, .int(Int64(k)), .int(Int64(v))), MP.int(Int64(model.count)), ctx)
                case 1:
                    let old = model.removeValue(forKey: k)
                    let r = try op(&map, Op.removeByKey, RT.value, .int(Int64(k)))
                    XCTAssertEqual(r, old.map { MP.int(Int64($0)) }, ctx)
                case 2:
                    let d = rng.int(-3...3)
                    let nv = (model[k] ?? 0) + d
                    model[k] = nv
                    XCTAssertEqual(try op(&map, Op.increment, .int(Int64(k)), .int(Int64(d))), MP.int(Int64(nv)), ctx)
                case 3:
                    let i = rng.int(-8...8), c = rng.int(-1...6)
                    let r = map == nil ? nil : MP.list(window(keys.count, i, c < 0 ? nil : c).map { MP.int(Int64(model[keys[$0]]!)) })
                    let args: [MV] = c < 0 ? [RT.value, .int(Int64(i))] : [RT.value, .int(Int64(i)), .int(Int64(c))]
                    XCTAssertEqual(try MapOps.apply(code: Op.getByIndexRange, args: OpArgs(args.map(\.bytes)), to: &map), r, ctx)
                case 4:
                    let byRank = keys.sorted { (model[$0]!, $0) < (model[$1]!, $1) }
                    let i = rng.int(-8...8), c = rng.int(0...6)
                    let r = map == nil ? nil : MP.list(window(byRank.count, i, c).map { MP.int(Int64(byRank[$0])) })
                    XCTAssertEqual(try op(&map, Op.getByRankRange, RT.key, .int(Int64(i)), .int(Int64(c))), r, ctx)
                case 5:
                    let i = rng.int(-3...5), c = rng.int(0...3)
                    let w = window(keys.count, i, c)
                    let r = try op(&map, Op.removeByIndexRange, RT.count, .int(Int64(i)), .int(Int64(c)))
                    XCTAssertEqual(r, map == nil ? nil : MP.int(Int64(w.count)), ctx)
                    for p in w { model[keys[p]] = nil }
                default:
                    XCTAssertEqual(try op(&map, Op.size), map == nil ? nil : MP.int(Int64(model.count)), ctx)
                }
            }
            let expected = model.keys.sorted().map { CDTMap.Entry(key: MP.int(Int64($0)), value: MP.int(Int64(model[$0]!))) }
            XCTAssertEqual(map?.entries ?? [], expected, "seed \(seed)")
        }
    }
}
