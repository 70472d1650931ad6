import XCTest
import AeroCDT

// MARK: - Test values

/// A msgpack value written as a Swift literal: `[1, "a", nil, 1.5, true]`.
fileprivate indirect enum V: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByNilLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, Equatable,
    CustomStringConvertible {
    case i(Int64), s(String), l([V]), n, d(Double), b(Bool), raw([UInt8])

    var description: String {
        switch self {
        case .i(let v): return "\(v)"
        case .s(let v): return "\"\(v)\""
        case .l(let v): return "[" + v.map(\.description).joined(separator: ", ") + "]"
        case .n: return "nil"
        case .d(let v): return "\(v)"
        case .b(let v): return "\(v)"
        case .raw(let v): return "raw(" + v.map { String($0, radix: 16) }.joined(separator: " ") + ")"
        }
    }

    init(integerLiteral v: Int64) { self = .i(v) }
    init(stringLiteral v: String) { self = .s(v) }
    init(arrayLiteral v: V...) { self = .l(v) }
    init(nilLiteral: ()) { self = .n }
    init(floatLiteral v: Double) { self = .d(v) }
    init(booleanLiteral v: Bool) { self = .b(v) }

    var mp: [UInt8] {
        switch self {
        case .i(let v): return MP.int(v)
        case .s(let v): return MP.string(v)
        case .l(let v): return MP.list(v.map(\.mp))
        case .n: return MP.nil_
        case .d(let v): return MP.double(v)
        case .b(let v): return MP.bool(v)
        case .raw(let v): return v
        }
    }
}

fileprivate let WILD = V.raw(MP.wildcard)
fileprivate let INF = V.raw(MP.infinity)
fileprivate func blob(_ b: [UInt8]) -> V { .raw([0xa0 | UInt8(b.count + 1), 0x04] + b) }
fileprivate func mapV(_ pairs: [(V, V)]) -> V { .raw(MP.map(pairs.map { ($0.0.mp, $0.1.mp) })) }

// Op codes.
fileprivate let SET_TYPE = 0, APPEND = 1, APPEND_ITEMS = 2, INSERT = 3, INSERT_ITEMS = 4, POP = 5, POP_RANGE = 6,
    REMOVE = 7, REMOVE_RANGE = 8, SET = 9, TRIM = 10, CLEAR = 11, INCREMENT = 12, SORT = 13, SIZE = 16,
    GET = 17, GET_RANGE = 18, GET_BY_INDEX = 19, GET_BY_VALUE = 20, GET_BY_RANK = 21, GET_ALL_BY_VALUE = 22,
    GET_ALL_BY_VALUE_LIST = 23, GET_BY_INDEX_RANGE = 24, GET_BY_VALUE_INTERVAL = 25, GET_BY_RANK_RANGE = 26,
    GET_BY_VALUE_REL_RANK_RANGE = 27, REMOVE_BY_INDEX = 32, REMOVE_BY_VALUE = 33, REMOVE_BY_RANK = 34,
    REMOVE_ALL_BY_VALUE = 35, REMOVE_ALL_BY_VALUE_LIST = 36, REMOVE_BY_INDEX_RANGE = 37,
    REMOVE_BY_VALUE_INTERVAL = 38, REMOVE_BY_RANK_RANGE = 39, REMOVE_BY_VALUE_REL_RANK_RANGE = 40
// Return types.
fileprivate let NONE: Int64 = 0, INDEX: Int64 = 1, REVINDEX: Int64 = 2, RANK: Int64 = 3, REVRANK: Int64 = 4,
    COUNT: Int64 = 5, KEY: Int64 = 6, VALUE: Int64 = 7, EXISTS: Int64 = 13, INV: Int64 = 0x10000
// Write flags.
fileprivate let ADD_UNIQUE: Int64 = 1, INSERT_BOUNDED: Int64 = 2, NO_FAIL: Int64 = 4, DO_PARTIAL: Int64 = 8

fileprivate func enc(_ v: V) -> [UInt8] { v.mp }
fileprivate func items(_ v: [V]) -> [[UInt8]] { v.map(\.mp) }
fileprivate func unordered(_ items: [V]) -> CDTList { CDTList(flags: 0, items: items.map(\.mp)) }
fileprivate func ordered(_ items: [V]) -> CDTList { CDTList(flags: 1, items: items.map(\.mp)) }

// MARK: - Harness

class ListOpsTestCase: XCTestCase {
    @discardableResult
    fileprivate func run(_ l: inout CDTList?, _ code: Int, _ args: [V]) throws -> [UInt8]? {
        try ListOps.apply(code: code, args: OpArgs(args.map(\.mp)), to: &l)
    }

    /// Runs one op on `start`, checks the result (nil = no result) and, if given, the list after.
    fileprivate func check(_ start: CDTList?, _ code: Int, _ args: [V], _ expected: V?, after: [V]? = nil,
               flags: UInt8? = nil, file: StaticString = #filePath, line: UInt = #line) {
        var l = start
        do {
            let r = try run(&l, code, args)
            XCTAssertEqual(r, expected?.mp, "result of op \(code) \(args)", file: file, line: line)
            if let after {
                XCTAssertEqual(l?.items, after.map(\.mp), "list after op \(code) \(args)", file: file, line: line)
            }
            if let flags { XCTAssertEqual(l?.flags, flags, file: file, line: line) }
        } catch {
            XCTFail("op \(code) \(args) threw \(error)", file: file, line: line)
        }
    }

    /// The op fails with `code`, and the list is left as it was.
    fileprivate func fails(_ start: CDTList?, _ op: Int, _ args: [V], _ code: UInt8,
               file: StaticString = #filePath, line: UInt = #line) {
        var l = start
        XCTAssertThrowsError(try run(&l, op, args), "op \(op) \(args)", file: file, line: line) { e in
            XCTAssertEqual((e as? CDTError)?.code, code, "op \(op) \(args)", file: file, line: line)
        }
        XCTAssertEqual(l, start, "list changed by failing op \(op) \(args)", file: file, line: line)
    }
}

// MARK: - Captured sequences (cdt.python-client.jsonl, probes.handmade.jsonl)

final class ListOpsCaptureTests: ListOpsTestCase {
    func testPythonClientListOps() throws {
        var l: CDTList? = unordered([5, 1, 4, 1, 3])
        XCTAssertEqual(try run(&l, APPEND, [9]), MP.int(6))
        XCTAssertEqual(try run(&l, APPEND_ITEMS, [[7, 8]]), MP.int(8))
        XCTAssertEqual(try run(&l, INSERT, [0, 0]), MP.int(9))
        XCTAssertEqual(try run(&l, GET_BY_INDEX, [.i(VALUE), 1]), MP.int(5))
        XCTAssertEqual(try run(&l, GET_BY_VALUE_INTERVAL, [.i(VALUE), 3, 8]), enc([5, 4, 3, 7]))
        XCTAssertEqual(try run(&l, GET_BY_RANK_RANGE, [.i(VALUE), 0, 3]), enc([1, 1, 0]))
        XCTAssertEqual(try run(&l, SIZE, []), MP.int(9))
        // list-inverted
        XCTAssertEqual(try run(&l, GET_ALL_BY_VALUE, [.i(VALUE | INV), 1]), enc([0, 5, 4, 3, 9, 7, 8]))
        // list-remove-by-value-inverted-count
        XCTAssertEqual(try run(&l, REMOVE_ALL_BY_VALUE_LIST, [.i(COUNT | INV), [1, 9]]), MP.int(6))
        XCTAssertEqual(try run(&l, GET_RANGE, [0, 10]), enc([1, 1, 9]))
        // list-increment-sort
        XCTAssertEqual(try run(&l, INCREMENT, [0, 10]), MP.int(11))
        XCTAssertNil(try run(&l, SORT, [0]))
        XCTAssertEqual(try run(&l, GET_RANGE, [0, 10]), enc([1, 9, 11]))
    }

    func testOrderedCreateWithPersistIndex() throws {
        var l: CDTList? = nil
        XCTAssertNil(try run(&l, SET_TYPE, [0x11]))
        XCTAssertEqual(l?.flags, 0x11)
        XCTAssertEqual(try run(&l, APPEND_ITEMS, [[3, 1, 2]]), MP.int(3))
        XCTAssertEqual(l?.items, [1, 2, 3].map { V.i($0).mp })
        // What the client sees: `c7 00 01` then the sorted elements.
        XCTAssertEqual(l?.encode(forClient: true), [0x94, 0xc7, 0x00, 0x01, 0x01, 0x02, 0x03])
    }

    func testIncrementProbes() throws {
        var l: CDTList? = unordered([1, "a", 3])
        fails(l, INCREMENT, [1, 1], 4)                      // non-numeric element
        XCTAssertEqual(try run(&l, INCREMENT, [0, 1.5]), MP.int(2))   // delta converted to int
        XCTAssertEqual(try run(&l, INCREMENT, [5, 2]), MP.int(2))     // created, padded
        XCTAssertEqual(l?.items, items([2, "a", 3, nil, nil, 2]))
        XCTAssertEqual(try run(&l, INCREMENT, [0]), MP.int(3))        // default delta 1
        XCTAssertEqual(l?.items, items([3, "a", 3, nil, nil, 2]))
        fails(l, INCREMENT, [-10, 1], 26)

        // list-increment-ordered-missing: APPEND creates an ordered list, index 3 is missing.
        var o: CDTList? = nil
        XCTAssertEqual(try run(&o, APPEND, [5, 1]), MP.int(1))
        XCTAssertEqual(o?.flags, 1)
        fails(o, INCREMENT, [3, 1], 26)
    }

    func testRankTiesProbes() {
        let l = unordered([3, 1, 3, 1, 2])
        for (rank, index) in [(0, 1), (1, 3), (2, 4), (3, 2), (4, 0), (-1, 0), (-2, 2)] as [(Int64, Int64)] {
            check(l, GET_BY_RANK, [.i(INDEX), .i(rank)], .i(index))
        }
        check(l, REMOVE_BY_RANK, [.i(INDEX), -1], 0, after: [1, 3, 1, 2])
        check(l, GET_BY_RANK_RANGE, [.i(INDEX), 0, 5], [0, 1, 2, 3, 4])
        check(l, GET_BY_RANK_RANGE, [.i(VALUE), 0, 5], [3, 3, 2, 1, 1])
        check(l, GET_BY_RANK_RANGE, [.i(RANK), 0, 5], [0, 1, 2, 3, 4])
        check(l, GET_BY_INDEX_RANGE, [.i(RANK), 0, 5], [0, 1, 2, 3, 4])
        check(l, GET_BY_INDEX_RANGE, [.i(REVRANK), 0, 5], [0, 1, 2, 3, 4])

        let u = unordered([2, 1, 5])
        check(u, GET_BY_RANK_RANGE, [.i(VALUE), 0, 2], [2, 1])
        check(u, GET_BY_RANK_RANGE, [.i(INDEX), 0, 2], [0, 1])
        check(u, GET_BY_RANK_RANGE, [.i(VALUE | INV), 0, 1], [2, 5])
        check(u, GET_BY_RANK_RANGE, [.i(VALUE), -2], [2, 5])
        check(u, GET_BY_VALUE_REL_RANK_RANGE, [.i(VALUE), 1, 0], [5, 2, 1])
        check(u, GET_BY_RANK, [.i(RANK), 0], 0)
        check(u, GET_BY_RANK, [.i(REVRANK), 0], 2)

        let v = unordered([3, 1, 2])
        check(v, GET_BY_VALUE_INTERVAL, [.i(VALUE), 1, 4], [3, 1, 2])
        check(v, GET_ALL_BY_VALUE_LIST, [.i(VALUE), [2, 3]], [3, 2])
    }

    func testRankRangeValueOrderDocExamples() {
        let l = unordered([9, 4, 5, 8, 0, 7, 3])
        check(l, GET_BY_RANK_RANGE, [.i(VALUE), 0, 2], [3, 0])
        check(l, GET_BY_RANK_RANGE, [.i(VALUE), 0, 3], [4, 3, 0])
        check(l, GET_BY_RANK_RANGE, [.i(VALUE), 1, 3], [5, 4, 3])
        check(l, GET_BY_RANK_RANGE, [.i(VALUE), 0, 7], [9, 8, 7, 5, 4, 3, 0])
        check(l, GET_BY_RANK_RANGE, [.i(VALUE), 2, 5], [4, 5, 7, 8, 9])
        check(l, GET_BY_RANK_RANGE, [.i(VALUE), -3, 3], [7, 8, 9])
        // Ordered lists: always ascending.
        check(ordered([0, 3, 4, 5, 7, 8, 9]), GET_BY_RANK_RANGE, [.i(VALUE), 0, 3], [0, 3, 4])
    }

    /// The documented rule, exhaustively for n = 7, 10, 16 (distinct values): the window holds
    /// exactly the right ranks, descending when start <= n - end, otherwise ascending.
    func testRankRangeOrderRuleExhaustive() throws {
        var rng = SplitMix(seed: 7)
        for n in [7, 10, 16] {
            var vals = Array(0..<Int64(n)).map { $0 * 3 }
            vals.shuffle(using: &rng)
            var l: CDTList? = unordered(vals.map { V.i($0) })
            let sorted = vals.sorted()
            for start in 0..<n {
                for end in start...n {
                    let r = try run(&l, GET_BY_RANK_RANGE, [.i(VALUE), .i(Int64(start)), .i(Int64(end - start))])
                    let window = Array(sorted[start..<end])
                    let want = start <= n - end ? Array(window.reversed()) : window
                    XCTAssertEqual(r, V.l(want.map { .i($0) }).mp, "n=\(n) [\(start),\(end))")
                }
            }
        }
    }

    func testPopAndClearLeaveEmptyList() {
        check(unordered([1]), POP, [0], 1, after: [])
        check(unordered([1]), CLEAR, [], nil, after: [])
        check(ordered([1, 2]), CLEAR, [], nil, after: [], flags: 1)
    }

    func testNotFoundResults() {
        let l = unordered([1, 2, 3])
        check(l, GET_ALL_BY_VALUE, [.i(VALUE), 9], [])
        check(l, GET_ALL_BY_VALUE, [.i(INDEX), 9], [])
        check(l, GET_ALL_BY_VALUE, [.i(COUNT), 9], 0)
        check(l, GET_ALL_BY_VALUE, [.i(EXISTS), 9], false)
        check(l, GET_BY_VALUE, [.i(VALUE), 9], nil)
        check(l, GET_BY_VALUE, [.i(INDEX), 9], -1)
        check(l, GET_BY_VALUE, [.i(RANK), 9], -1)
        check(l, GET_BY_VALUE, [.i(COUNT), 9], 0)
        check(l, GET_BY_VALUE, [.i(EXISTS), 9], false)
        check(l, GET_BY_VALUE, [.i(INDEX), 2], 1)
        check(l, GET_BY_VALUE, [.i(VALUE), 2], 2)
        check(l, GET_BY_VALUE, [.i(RANK), 3], 2)
        // The same on an ordered list (binary search path).
        let o = ordered([1, 2, 3])
        check(o, GET_BY_VALUE, [.i(VALUE), 9], nil)
        check(o, GET_BY_VALUE, [.i(INDEX), 9], -1)
        check(o, GET_BY_VALUE, [.i(INDEX), 2], 1)
        check(o, GET_ALL_BY_VALUE, [.i(VALUE), 9], [])
        check(o, GET_ALL_BY_VALUE, [.i(COUNT), 9], 0)
    }

    func testInvertedOnSingleOpsIs26() {
        let l = unordered([1, 2, 3])
        fails(l, GET_BY_INDEX, [.i(VALUE | INV), 0], 26)
        fails(l, GET_BY_RANK, [.i(VALUE | INV), 0], 26)
        fails(l, GET_BY_VALUE, [.i(VALUE | INV), 1], 26)
        fails(l, REMOVE_BY_INDEX, [.i(VALUE | INV), 0], 26)
        check(l, GET_BY_INDEX_RANGE, [.i(VALUE | INV), 0, 1], [2, 3])
    }

    func testMissingList() throws {
        var l: CDTList? = nil
        XCTAssertNil(try run(&l, SIZE, []))
        XCTAssertNil(try run(&l, GET, [0]))
        XCTAssertNil(try run(&l, GET_BY_RANK_RANGE, [.i(VALUE), 0]))
        for (op, args) in [(POP, [0] as [V]), (REMOVE_ALL_BY_VALUE, [.i(COUNT), 1]), (POP_RANGE, [0]), (REMOVE, [0]),
                           (REMOVE_RANGE, [0, 1]), (TRIM, [0, 1]), (CLEAR, []), (REMOVE_BY_INDEX, [.i(VALUE), 0]),
                           (REMOVE_BY_RANK_RANGE, [.i(VALUE), 0]), (REMOVE_BY_VALUE_INTERVAL, [.i(COUNT), 1, 3])] {
            XCTAssertNil(try run(&l, op, args))
            XCTAssertNil(l, "op \(op) created the list")
        }
        fails(nil, SORT, [0], 12)
        // Creating ops.
        check(nil, APPEND, [1], 1, after: [1], flags: 0)
        check(nil, SET, [0, 7], nil, after: [7])
        check(nil, INSERT, [2, 7], 3, after: [nil, nil, 7])
        check(nil, INCREMENT, [1, 5], 5, after: [nil, 5])
        check(nil, INCREMENT, [0, 5, 1], 5, after: [5], flags: 1)
        check(nil, APPEND_ITEMS, [[2, 1], 1], 2, after: [1, 2], flags: 1)
        check(nil, APPEND_ITEMS, [[]], 0, after: [])
        check(nil, SET_TYPE, [0], nil, after: [], flags: 0)
        check(nil, APPEND, [1, 0x40], 1, after: [1], flags: 0)   // invalid attributes: unordered
        fails(nil, INSERT, [-1, 7], 26)
        fails(nil, SET_TYPE, [2], 26)
    }

    func testOrderedListRefusesInsertAndSet() throws {
        var l: CDTList? = nil
        try run(&l, SET_TYPE, [1])
        try run(&l, APPEND, [5])
        fails(l, INSERT, [0, 7], 26)
        fails(l, INSERT_ITEMS, [0, [7]], 26)
        fails(l, SET, [0, 7], 26)
    }

    func testIndexOutOfRange() {
        let l = unordered([1, 2, 3])
        fails(l, GET, [10], 26)
        fails(l, GET, [-4], 26)
        fails(l, GET_BY_INDEX, [.i(VALUE), 100], 26)
        fails(l, POP, [3], 26)
        fails(l, REMOVE, [-4], 26)
        fails(unordered([]), GET_BY_RANK, [.i(VALUE), 0], 26)
        check(l, GET_RANGE, [10, 2], [])
        check(l, GET_BY_INDEX_RANGE, [.i(INDEX), 10], [])
        check(l, GET_BY_INDEX_RANGE, [.i(COUNT), 10], 0)
    }

    func testWriteFlagProbes() {
        let l = unordered([1, 2, 3])
        fails(l, APPEND, [2, 0, .i(ADD_UNIQUE)], 24)
        fails(l, INSERT, [10, 5, .i(INSERT_BOUNDED)], 26)
        check(l, INSERT, [5, 5], 6, after: [1, 2, 3, nil, nil, 5])
    }
}

fileprivate extension V {
    var mpItems: [[UInt8]] {
        guard case .l(let v) = self else { return [mp] }
        return v.map(\.mp)
    }
}

/// Deterministic random numbers for the randomized tests.
fileprivate struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - Selection families

final class ListOpsSelectTests: ListOpsTestCase {
    func testIndexRanges() {
        let l = unordered([10, 20, 30, 40, 50])
        check(l, GET_BY_INDEX_RANGE, [.i(VALUE), 1, 2], [20, 30])
        check(l, GET_BY_INDEX_RANGE, [.i(VALUE), -2], [40, 50])
        check(l, GET_BY_INDEX_RANGE, [.i(VALUE), -7, 5], [10, 20, 30])   // starts before 0: shortened
        check(l, GET_BY_INDEX_RANGE, [.i(VALUE), -7, 2], [])
        check(l, GET_BY_INDEX_RANGE, [.i(VALUE), 3, 10], [40, 50])
        check(l, GET_BY_INDEX_RANGE, [.i(VALUE), 5], [])
        check(l, GET_BY_INDEX_RANGE, [.i(INDEX), 1, 2], [1, 2])
        check(l, GET_BY_INDEX_RANGE, [.i(REVINDEX), 1, 2], [2, 3])
        check(l, GET_BY_INDEX_RANGE, [.i(EXISTS), 1, 2], true)
        check(l, GET_BY_INDEX_RANGE, [.i(EXISTS), 9], false)
        check(l, GET_BY_INDEX_RANGE, [.i(NONE), 1, 2], nil)
        check(l, GET_RANGE, [0, -1], [10, 20, 30, 40, 50])    // a negative count is a huge count
        check(l, GET_BY_INDEX, [.i(REVINDEX), 1], 3)
        check(l, GET, [-1], 50)

        let u = unordered([30, 10, 50, 20, 40])
        check(u, GET_BY_INDEX_RANGE, [.i(RANK), 0, 2], [2, 0])
        check(u, GET_BY_INDEX_RANGE, [.i(REVRANK), 0, 2], [2, 4])
        check(u, GET_BY_INDEX, [.i(RANK), 2], 4)
        check(u, GET_BY_INDEX, [.i(REVRANK), 2], 0)
        check(u, GET_BY_INDEX, [.i(RANK), 0], 2)
    }

    func testInvertedIndexRanges() {
        let l = unordered([10, 20, 30, 40, 50])
        // Keeps a middle window: head and tail selected.
        check(l, GET_BY_INDEX_RANGE, [.i(INDEX | INV), 1, 2], [0, 3, 4])
        check(l, GET_BY_INDEX_RANGE, [.i(REVINDEX | INV), 1, 2], [4, 0, 1])
        check(l, GET_BY_INDEX_RANGE, [.i(VALUE | INV), 1, 2], [10, 40, 50])
        check(l, GET_BY_INDEX_RANGE, [.i(COUNT | INV), 1, 2], 3)
        check(l, GET_BY_INDEX_RANGE, [.i(RANK | INV), 1, 2], [0, 3, 4])
        check(l, REMOVE_BY_INDEX_RANGE, [.i(COUNT | INV), 1, 2], 3, after: [20, 30])
        // Complement is one window.
        check(l, GET_BY_INDEX_RANGE, [.i(VALUE | INV), 0, 2], [30, 40, 50])
        check(l, GET_BY_INDEX_RANGE, [.i(VALUE | INV), 3], [10, 20, 30])
        check(l, GET_BY_INDEX_RANGE, [.i(VALUE | INV), 10], [10, 20, 30, 40, 50])
        check(l, GET_BY_INDEX_RANGE, [.i(VALUE | INV), 0], [])
        check(l, REMOVE_BY_INDEX_RANGE, [.i(VALUE | INV), 0, 2], [30, 40, 50], after: [10, 20])
    }

    func testPopRemoveTrim() {
        let l = unordered([1, 2, 3, 4])
        check(l, POP_RANGE, [1, 2], [2, 3], after: [1, 4])
        check(l, POP_RANGE, [10], [], after: [1, 2, 3, 4])
        check(l, REMOVE_RANGE, [-2], 2, after: [1, 2])
        check(l, REMOVE_RANGE, [-9, 6], 1, after: [2, 3, 4])
        check(l, POP, [-1], 4, after: [1, 2, 3])
        check(l, REMOVE, [0], 1, after: [2, 3, 4])
        check(l, REMOVE_BY_INDEX, [.i(VALUE), 1], 2, after: [1, 3, 4])
        check(l, REMOVE_BY_INDEX, [.i(NONE), 1], nil, after: [1, 3, 4])

        let t = unordered([0, 1, 2, 3, 4, 5])
        check(t, TRIM, [1, 3], 3, after: [1, 2, 3])
        check(t, TRIM, [0, 6], 0, after: [0, 1, 2, 3, 4, 5])
        check(t, TRIM, [10, 2], 6, after: [])
        check(t, TRIM, [-2, 1], 5, after: [4])
        check(t, TRIM, [2, 100], 2, after: [2, 3, 4, 5])
    }

    func testRanks() {
        let l = unordered([30, 10, 50, 20, 40])
        check(l, GET_BY_RANK, [.i(VALUE), 0], 10)
        check(l, GET_BY_RANK, [.i(VALUE), -1], 50)
        check(l, GET_BY_RANK, [.i(INDEX), 1], 3)
        check(l, GET_BY_RANK, [.i(REVINDEX), 1], 1)
        fails(l, GET_BY_RANK, [.i(VALUE), 5], 26)
        fails(l, GET_BY_RANK, [.i(VALUE), -6], 26)
        check(l, REMOVE_BY_RANK_RANGE, [.i(VALUE), 1, 2], [30, 20], after: [10, 50, 40])
        check(l, REMOVE_BY_RANK_RANGE, [.i(COUNT | INV), 1, 2], 3, after: [30, 20])
        check(l, GET_BY_RANK_RANGE, [.i(INDEX | INV), 0, 2], [0, 2, 4])
        check(l, GET_BY_RANK_RANGE, [.i(RANK | INV), 0, 2], [2, 3, 4])
        check(l, GET_BY_RANK_RANGE, [.i(REVRANK), 0, 2], [3, 4])
        check(l, GET_BY_RANK_RANGE, [.i(VALUE | INV), 0, 2], [30, 50, 40])
        check(l, GET_BY_RANK_RANGE, [.i(COUNT), 3], 2)
        check(l, GET_BY_RANK_RANGE, [.i(COUNT), -1], 1)
        check(l, GET_BY_RANK_RANGE, [.i(COUNT), 7], 0)
        check(l, GET_BY_RANK_RANGE, [.i(COUNT), -9, 5], 1)
        check(l, GET_BY_RANK_RANGE, [.i(VALUE), 7], [])
        // The server's EXISTS with INVERTED answers "nothing in the window" (result_data_set_index_rank_count).
        check(l, GET_BY_RANK_RANGE, [.i(EXISTS | INV), 0, 2], false)
        check(l, GET_BY_RANK_RANGE, [.i(EXISTS), 0, 2], true)
    }

    func testValueIntervalsAcrossTypes() {
        let m = mapV([("a", 1)])
        let b = blob([1])
        // Order: nil < false < true < -3 < 7 < "a" < "b" < [1,2] < map < blob < 1.5
        let l = unordered([1.5, "b", nil, [1, 2], -3, true, b, 7, m, false, "a"])
        check(l, GET_BY_VALUE_INTERVAL, [.i(VALUE), 7, "b"], [7, "a"])
        check(l, GET_BY_VALUE_INTERVAL, [.i(RANK), 7, "b"], [4, 5])
        check(l, GET_BY_VALUE_INTERVAL, [.i(INDEX), 7, "b"], [7, 10])
        check(l, GET_BY_VALUE_INTERVAL, [.i(INDEX | INV), 7, "b"], [0, 1, 2, 3, 4, 5, 6, 8, 9])
        check(l, GET_BY_VALUE_INTERVAL, [.i(VALUE), nil, false], [nil])
        check(l, GET_BY_VALUE_INTERVAL, [.i(VALUE), "a"], [1.5, "b", [1, 2], b, m, "a"])
        check(l, GET_BY_VALUE_INTERVAL, [.i(VALUE), true, 0], [-3, true])
        check(l, GET_BY_VALUE_INTERVAL, [.i(VALUE), 0, 0.0], ["b", [1, 2], b, 7, m, "a"])
        check(l, GET_BY_VALUE_INTERVAL, [.i(VALUE), "b", INF], [1.5, "b", [1, 2], b, m])
        check(l, GET_BY_VALUE_INTERVAL, [.i(COUNT), nil, INF], 11)
        check(l, GET_BY_VALUE_INTERVAL, [.i(VALUE), 5, 1], [])
        check(l, GET_BY_VALUE_INTERVAL, [.i(COUNT | INV), 5, 1], 11)
        check(l, REMOVE_BY_VALUE_INTERVAL, [.i(COUNT), nil, 0], 4, after: [1.5, "b", [1, 2], b, 7, m, "a"])

        // The same list, ordered: results in value order.
        var o: CDTList? = l
        XCTAssertNoThrow(try run(&o, SET_TYPE, [1]))
        check(o, GET_BY_VALUE_INTERVAL, [.i(VALUE), 7, "b"], [7, "a"])
        check(o, GET_BY_VALUE_INTERVAL, [.i(INDEX), 7, "b"], [4, 5])
        check(o, GET_BY_VALUE_INTERVAL, [.i(VALUE), "a"], ["a", "b", [1, 2], m, b, 1.5])
        check(o, GET_BY_VALUE_INTERVAL, [.i(VALUE | INV), true, "a"], [nil, false, "a", "b", [1, 2], m, b, 1.5])
        check(o, GET_BY_VALUE_INTERVAL, [.i(VALUE), 5, 1], [])
    }

    func testWildcardMatches() {
        let l = unordered([["a", 1], ["b", 2], ["a", 3], "a"])
        check(l, GET_ALL_BY_VALUE, [.i(VALUE), ["a", WILD]], [["a", 1], ["a", 3]])
        check(l, GET_ALL_BY_VALUE, [.i(INDEX), ["a", WILD]], [0, 2])
        check(l, REMOVE_ALL_BY_VALUE, [.i(COUNT), ["a", WILD]], 2, after: [["b", 2], "a"])
        check(l, GET_ALL_BY_VALUE, [.i(COUNT), WILD], 4)
        check(ordered([["a", 1], ["a", 3], ["b", 2]]), GET_ALL_BY_VALUE, [.i(INDEX), ["a", WILD]], [0, 1])
    }

    func testRelativeRankRangesOrdered() {
        let o = ordered([0, 4, 5, 9, 11, 15])
        let cases: [([V], V)] = [
            ([5, 0], [5, 9, 11, 15]), ([5, 1], [9, 11, 15]), ([5, -1], [4, 5, 9, 11, 15]),
            ([3, 0], [4, 5, 9, 11, 15]), ([3, 3], [11, 15]), ([3, -3], [0, 4, 5, 9, 11, 15]),
            ([5, 0, 2], [5, 9]), ([5, 1, 1], [9]), ([5, -1, 2], [4, 5]), ([3, 0, 1], [4]),
            ([3, 3, 7], [11, 15]), ([3, -3, 2], []),
        ]
        for (args, want) in cases {
            check(o, GET_BY_VALUE_REL_RANK_RANGE, [.i(VALUE)] + args, want)
        }
        check(o, REMOVE_BY_VALUE_REL_RANK_RANGE, [.i(COUNT), 5, 1], 3, after: [0, 4, 5])
        check(o, GET_BY_VALUE_REL_RANK_RANGE, [.i(VALUE | INV), 5, 0, 2], [0, 4, 11, 15])
    }

    func testRelativeRankRangesUnordered() {
        let u = unordered([11, 0, 15, 5, 9, 4])
        let counts: [([V], Int64)] = [
            ([5, 0], 4), ([5, 1], 3), ([5, -1], 5), ([3, 0], 5), ([3, 3], 2), ([3, -3], 6),
            ([5, 0, 2], 2), ([5, 1, 1], 1), ([5, -1, 2], 2), ([3, 0, 1], 1), ([3, 3, 7], 2), ([3, -3, 2], 0),
        ]
        for (args, want) in counts {
            check(u, GET_BY_VALUE_REL_RANK_RANGE, [.i(COUNT)] + args, .i(want))
        }
        // Values come in rank-range order: descending near the bottom, ascending near the top.
        check(u, GET_BY_VALUE_REL_RANK_RANGE, [.i(VALUE), 5, 0, 2], [9, 5])
        check(u, GET_BY_VALUE_REL_RANK_RANGE, [.i(VALUE), 3, 3, 7], [11, 15])
        check(u, GET_BY_VALUE_REL_RANK_RANGE, [.i(INDEX), 5, 0, 2], [3, 4])
        check(u, REMOVE_BY_VALUE_REL_RANK_RANGE, [.i(VALUE), 3, 3, 7], [11, 15], after: [0, 5, 9, 4])
    }

    func testValueListsUnordered() {
        let l = unordered([3, 1, 2, 3, 5, 1])
        check(l, GET_ALL_BY_VALUE_LIST, [.i(VALUE), [3, 1]], [3, 1, 3, 1])
        check(l, GET_ALL_BY_VALUE_LIST, [.i(INDEX), [3, 1]], [0, 1, 3, 5])
        check(l, GET_ALL_BY_VALUE_LIST, [.i(REVINDEX), [3, 1]], [5, 4, 2, 0])
        check(l, GET_ALL_BY_VALUE_LIST, [.i(RANK), [3, 1]], [3, 4, 0, 1])
        check(l, GET_ALL_BY_VALUE_LIST, [.i(REVRANK), [3, 1]], [2, 1, 5, 4])
        check(l, GET_ALL_BY_VALUE_LIST, [.i(RANK | INV), [3, 1]], [2, 5])
        check(l, GET_ALL_BY_VALUE_LIST, [.i(COUNT), [3, 1]], 4)
        check(l, GET_ALL_BY_VALUE_LIST, [.i(COUNT | INV), [3, 1]], 2)
        check(l, GET_ALL_BY_VALUE_LIST, [.i(VALUE | INV), [3, 1]], [2, 5])
        check(l, GET_ALL_BY_VALUE_LIST, [.i(EXISTS), [9]], false)
        check(l, GET_ALL_BY_VALUE_LIST, [.i(RANK), [1, 1]], [0, 1])
        check(l, GET_ALL_BY_VALUE_LIST, [.i(COUNT), [1, 1]], 2)
        check(l, GET_ALL_BY_VALUE_LIST, [.i(VALUE), []], [])
        check(l, GET_ALL_BY_VALUE_LIST, [.i(VALUE | INV), []], [3, 1, 2, 3, 5, 1])
        check(l, GET_ALL_BY_VALUE_LIST, [.i(COUNT | INV), []], 6)
        check(l, REMOVE_ALL_BY_VALUE_LIST, [.i(VALUE), [3, 1]], [3, 1, 3, 1], after: [2, 5])
        check(l, REMOVE_ALL_BY_VALUE_LIST, [.i(NONE), [9]], nil, after: [3, 1, 2, 3, 5, 1])
    }

    func testValueListsOrdered() {
        let o = ordered([1, 1, 2, 3, 3, 5])
        check(o, GET_ALL_BY_VALUE_LIST, [.i(VALUE), [3, 1]], [3, 3, 1, 1])
        check(o, GET_ALL_BY_VALUE_LIST, [.i(INDEX), [3, 1]], [3, 4, 0, 1])
        check(o, GET_ALL_BY_VALUE_LIST, [.i(REVINDEX), [3, 1]], [1, 2, 4, 5])
        check(o, GET_ALL_BY_VALUE_LIST, [.i(VALUE), [1, 1]], [1, 1, 1, 1])
        check(o, GET_ALL_BY_VALUE_LIST, [.i(COUNT), [1, 1]], 2)
        check(o, GET_ALL_BY_VALUE_LIST, [.i(VALUE | INV), [3, 1]], [2, 5])
        check(o, GET_ALL_BY_VALUE_LIST, [.i(INDEX | INV), [3, 1]], [2, 5])
        check(o, REMOVE_ALL_BY_VALUE_LIST, [.i(COUNT), [3, 1]], 4, after: [2, 5], flags: 1)
    }

    func testSingleValueOps() {
        let l = unordered([1, 3, 3, 5])
        check(l, REMOVE_BY_VALUE, [.i(INDEX), 3], 1, after: [1, 3, 5])
        check(l, REMOVE_ALL_BY_VALUE, [.i(INDEX), 3], [1, 2], after: [1, 5])
        check(l, REMOVE_ALL_BY_VALUE, [.i(VALUE | INV), 3], [1, 5], after: [3, 3])
        check(l, GET_ALL_BY_VALUE, [.i(RANK), 3], [1, 2])
        check(l, GET_ALL_BY_VALUE, [.i(RANK | INV), 3], [0, 3])
        check(l, GET_BY_VALUE, [.i(REVRANK), 3], 2)
        let o = ordered([1, 3, 3, 5])
        check(o, REMOVE_BY_VALUE, [.i(INDEX), 3], 1, after: [1, 3, 5])
        check(o, REMOVE_ALL_BY_VALUE, [.i(COUNT), 3], 2, after: [1, 5])
        check(o, GET_ALL_BY_VALUE, [.i(REVINDEX), 3], [1, 2])
    }
}

// MARK: - Writes

final class ListOpsWriteTests: ListOpsTestCase {
    func testInsertAndSetUnordered() {
        let l = unordered([1, 2, 3])
        check(l, INSERT, [-1, 9], 4, after: [1, 2, 9, 3])
        check(l, INSERT, [-3, 9], 4, after: [9, 1, 2, 3])
        fails(l, INSERT, [-4, 9], 26)
        check(l, INSERT, [3, 9], 4, after: [1, 2, 3, 9])
        check(l, INSERT, [3, 9, .i(INSERT_BOUNDED)], 4, after: [1, 2, 3, 9])
        check(l, INSERT, [4, 9, .i(INSERT_BOUNDED | NO_FAIL)], 3, after: [1, 2, 3])
        check(l, INSERT_ITEMS, [1, [7, 8]], 5, after: [1, 7, 8, 2, 3])
        check(l, INSERT_ITEMS, [5, [7]], 6, after: [1, 2, 3, nil, nil, 7])
        check(l, INSERT_ITEMS, [100, []], 3, after: [1, 2, 3])
        fails(l, INSERT_ITEMS, [5, [7], .i(INSERT_BOUNDED)], 26)
        check(l, INSERT_ITEMS, [5, [7], .i(INSERT_BOUNDED | NO_FAIL)], 3, after: [1, 2, 3])

        check(l, SET, [1, 9], nil, after: [1, 9, 3])
        check(l, SET, [-1, 9], nil, after: [1, 2, 9])
        fails(l, SET, [-4, 9], 26)
        check(l, SET, [5, 9], nil, after: [1, 2, 3, nil, nil, 9])
        fails(l, SET, [5, 9, .i(INSERT_BOUNDED)], 26)
        check(l, SET, [3, 9, .i(INSERT_BOUNDED)], nil, after: [1, 2, 3, 9])
        fails(l, SET, [0, 2, .i(ADD_UNIQUE)], 24)
        check(l, SET, [1, 2, .i(ADD_UNIQUE)], nil, after: [1, 2, 3])
        check(l, SET, [0, 2, .i(ADD_UNIQUE | NO_FAIL)], nil, after: [1, 2, 3])
        fails(unordered([2, 2, 3]), SET, [0, 2, .i(ADD_UNIQUE)], 24)
    }

    func testAddUniqueUnordered() {
        let l = unordered([1, 2, 3])
        check(l, APPEND, [4, 0, .i(ADD_UNIQUE)], 4, after: [1, 2, 3, 4])
        check(l, APPEND, [2, 0, .i(ADD_UNIQUE | NO_FAIL)], 3, after: [1, 2, 3])
        fails(l, APPEND_ITEMS, [[4, 2], 0, .i(ADD_UNIQUE)], 24)
        fails(l, APPEND_ITEMS, [[4, 2], 0, .i(ADD_UNIQUE | DO_PARTIAL)], 24)   // DO_PARTIAL needs NO_FAIL
        check(l, APPEND_ITEMS, [[4, 2], 0, .i(ADD_UNIQUE | NO_FAIL)], 3, after: [1, 2, 3])
        check(l, APPEND_ITEMS, [[4, 2], 0, .i(ADD_UNIQUE | NO_FAIL | DO_PARTIAL)], 4, after: [1, 2, 3, 4])
        fails(l, APPEND_ITEMS, [[4, 4], 0, .i(ADD_UNIQUE)], 26)                // repeated within the op
        check(l, APPEND_ITEMS, [[4, 4], 0, .i(ADD_UNIQUE | NO_FAIL)], 3, after: [1, 2, 3])
        check(l, APPEND_ITEMS, [[4, 4, 5], 0, .i(ADD_UNIQUE | NO_FAIL | DO_PARTIAL)], 5, after: [1, 2, 3, 4, 5])
        check(l, APPEND_ITEMS, [[2, 3], 0, .i(ADD_UNIQUE | NO_FAIL | DO_PARTIAL)], 3, after: [1, 2, 3])
        check(l, INSERT_ITEMS, [0, [0, 1], .i(ADD_UNIQUE | NO_FAIL | DO_PARTIAL)], 4, after: [0, 1, 2, 3])
        check(l, APPEND_ITEMS, [[2, 2], 0, 0], 5, after: [1, 2, 3, 2, 2])      // no flags: anything goes
    }

    func testOrderedAdds() {
        let o = ordered([1, 3, 5])
        check(o, APPEND, [4], 4, after: [1, 3, 4, 5])
        check(o, APPEND, [3], 4, after: [1, 3, 3, 5])
        check(o, APPEND, ["a"], 4, after: [1, 3, 5, "a"])
        check(o, APPEND, [nil], 4, after: [nil, 1, 3, 5])
        fails(o, APPEND, [3, 0, .i(ADD_UNIQUE)], 24)
        check(o, APPEND, [3, 0, .i(ADD_UNIQUE | NO_FAIL)], 3, after: [1, 3, 5])
        check(o, APPEND_ITEMS, [[6, 0, 3]], 6, after: [0, 1, 3, 3, 5, 6], flags: 1)
        fails(o, APPEND_ITEMS, [[6, 3], 0, .i(ADD_UNIQUE)], 24)
        check(o, APPEND_ITEMS, [[6, 3], 0, .i(ADD_UNIQUE | NO_FAIL)], 3, after: [1, 3, 5])
        check(o, APPEND_ITEMS, [[6, 3], 0, .i(ADD_UNIQUE | NO_FAIL | DO_PARTIAL)], 4, after: [1, 3, 5, 6])
        fails(o, APPEND_ITEMS, [[6, 6], 0, .i(ADD_UNIQUE)], 26)
        check(o, APPEND_ITEMS, [[6, 6], 0, .i(ADD_UNIQUE | NO_FAIL)], 3, after: [1, 3, 5])
        check(o, APPEND_ITEMS, [[6, 6, 0], 0, .i(ADD_UNIQUE | NO_FAIL | DO_PARTIAL)], 5, after: [0, 1, 3, 5, 6])
        check(o, APPEND_ITEMS, [[]], 3, after: [1, 3, 5])
        // An ordered marker on the items is not an item.
        check(o, APPEND_ITEMS, [.raw([0x93, 0xc7, 0x00, 0x01, 0x02, 0x04])], 5, after: [1, 2, 3, 4, 5])
    }

    func testIncrement() {
        check(unordered([1.5]), INCREMENT, [0, 1], 2.5, after: [2.5])
        check(unordered([1.5]), INCREMENT, [0, 0.25], 1.75, after: [1.75])
        check(unordered([1]), INCREMENT, [0, nil], 2, after: [2])
        check(unordered([1]), INCREMENT, [0, -3], -2, after: [-2])
        check(unordered([1]), INCREMENT, [0, -2.9], -1, after: [-1])
        check(unordered([1]), INCREMENT, [2, 0.5], 0.5, after: [1, nil, 0.5])
        check(unordered([1]), INCREMENT, [-1, 200], 201, after: [201])
        check(unordered([.i(Int64.max)]), INCREMENT, [0, 1], .i(Int64.min))   // wraps like the server
        fails(unordered([1]), INCREMENT, [0, "x"], 4)
        fails(unordered([1]), INCREMENT, [0, [1]], 4)
        fails(unordered(["a"]), INCREMENT, [0, 1], 4)
        fails(unordered([[1]]), INCREMENT, [0, 1], 4)
        fails(unordered([1]), INCREMENT, [3, 1, 0, .i(INSERT_BOUNDED)], 26)
        fails(unordered([1, 2]), INCREMENT, [0, 1, 0, .i(ADD_UNIQUE)], 24)
        check(unordered([1, 2]), INCREMENT, [0, 1, 0, .i(ADD_UNIQUE | NO_FAIL)], 2, after: [1, 2])

        let o = ordered([1, 3, 5])
        check(o, INCREMENT, [0, 10], 11, after: [3, 5, 11])
        check(o, INCREMENT, [-1, -10], -5, after: [-5, 1, 3])
        check(o, INCREMENT, [1, 1], 4, after: [1, 4, 5])
        check(o, INCREMENT, [3, 2], 2, after: [1, 2, 3, 5])     // index == size adds the value
        fails(o, INCREMENT, [4, 2], 26)
        fails(o, INCREMENT, [1, 2, 0, .i(ADD_UNIQUE)], 24)
        check(o, INCREMENT, [1, 2, 0, .i(ADD_UNIQUE | NO_FAIL)], 5, after: [1, 3, 5])
    }

    func testSortAndSetType() {
        let l = unordered([3, 1, 2, 1])
        check(l, SORT, [0], nil, after: [1, 1, 2, 3])
        check(l, SORT, [], nil, after: [1, 1, 2, 3])
        check(l, SORT, [1], nil, after: [3, 2, 1, 1])
        check(l, SORT, [2], nil, after: [1, 2, 3])
        // DESCENDING + DROP_DUPLICATES: the server's duplicate scan expects ascending order → 4.
        fails(l, SORT, [3], 4)
        check(unordered([1, 1]), SORT, [3], nil, after: [1])
        check(unordered(["a", 1, nil, 1.5, [1]]), SORT, [0], nil, after: [nil, 1, "a", [1], 1.5])
        check(ordered([1, 2, 2]), SORT, [1], nil, after: [1, 2, 2])
        check(ordered([1, 2, 2]), SORT, [2], nil, after: [1, 2], flags: 1)

        check(unordered([3, 1, 2]), SET_TYPE, [1], nil, after: [1, 2, 3], flags: 1)
        check(unordered([3, 1, 2]), SET_TYPE, [0x11], nil, after: [1, 2, 3], flags: 0x11)
        check(ordered([1, 2]), SET_TYPE, [0], nil, after: [1, 2], flags: 0)
        check(ordered([1, 2]), SET_TYPE, [1], nil, after: [1, 2], flags: 1)
        fails(unordered([1]), SET_TYPE, [2], 26)
        fails(unordered([1]), SET_TYPE, [0x20], 26)
    }

    func testStoredValuesAreCompacted() throws {
        // A 9-byte integer, a long-form string header, a nested list whose marker asks for a
        // persist index (dropped below the top level).
        let d3five = V.raw([0xd3, 0, 0, 0, 0, 0, 0, 0, 5])
        let longStr = V.raw([0xd9, 0x02, 0x03, 0x61])
        let persistNested = V.raw([0x92, 0xc7, 0x00, 0x10, 0x01])
        let orderedPersistNested = V.raw([0x92, 0xc7, 0x00, 0x11, 0x01])
        check(unordered([]), APPEND, [d3five], 1, after: [5])
        check(unordered([]), APPEND_ITEMS, [[longStr, d3five]], 2, after: ["a", 5])
        check(unordered([]), INSERT, [0, persistNested], 1, after: [.raw([0x91, 0x01])])
        check(unordered([]), SET, [0, orderedPersistNested], nil, after: [.raw([0x92, 0xc7, 0x00, 0x01, 0x01])])
        check(unordered([]), APPEND, [.raw([0xdc, 0x00, 0x01, 0xcd, 0x01, 0x00])], 1, after: [[256]])
        check(unordered([]), APPEND, [.raw([0xc4, 0x02, 0x04, 0x07])], 1, after: [blob([7])])   // bin → str header
        // Equal in value order all the same.
        check(unordered([5]), GET_ALL_BY_VALUE, [.i(COUNT), d3five], 1)
    }
}

// MARK: - Errors

final class ListOpsErrorTests: ListOpsTestCase {
    func testUnknownCodes() {
        for code in [14, 15, 28, 29, 30, 31, 41, 63, 64, 96, 255, -1] {
            fails(unordered([1]), code, [], 4)
            fails(nil, code, [0], 4)
        }
        XCTAssertTrue(ListOps.isModify(0) && ListOps.isModify(13) && ListOps.isModify(32) && ListOps.isModify(40))
        XCTAssertFalse(ListOps.isModify(16) || ListOps.isModify(27) || ListOps.isModify(31) || ListOps.isModify(41))
    }

    func testArgumentCountsAndKinds() {
        let l = unordered([1, 2, 3])
        fails(l, GET, [], 4)
        fails(l, GET, [0, 1], 4)
        fails(l, GET, ["a"], 4)
        fails(l, GET, [1.5], 4)
        fails(l, GET_RANGE, [0, "x"], 4)
        fails(l, APPEND, [], 4)
        fails(l, APPEND, [1, 0, 0, 0], 4)
        fails(l, APPEND, [1, "x"], 4)
        fails(l, TRIM, [0], 4)
        fails(l, SET_TYPE, [], 4)
        fails(l, INSERT, [0], 4)
        fails(l, INCREMENT, [0, 1, 0, 0, 0], 4)
        fails(l, INCREMENT, [], 4)
        fails(l, GET_BY_INDEX, [.i(VALUE)], 4)
        fails(l, GET_BY_INDEX, ["x", 0], 4)
        fails(l, GET_BY_VALUE_INTERVAL, [.i(VALUE)], 4)
        fails(l, GET_BY_VALUE_REL_RANK_RANGE, [.i(VALUE), 1], 4)
        fails(l, REMOVE_BY_RANK_RANGE, [.i(VALUE), 0, 1, 2], 4)
        fails(l, APPEND_ITEMS, [5], 4)
        fails(l, INSERT_ITEMS, [0, 5], 4)
        fails(l, GET_ALL_BY_VALUE_LIST, [.i(VALUE), 5], 4)
        // SIZE and CLEAR do not look at their arguments.
        check(l, SIZE, [1, 2], 3)
        check(l, CLEAR, ["x"], nil, after: [])
    }

    func testWildcardAndInfinityAreNotStorable() {
        let l = unordered([1, 2, 3])
        fails(l, APPEND, [WILD], 4)
        fails(l, APPEND, [[1, INF]], 4)
        fails(l, APPEND_ITEMS, [[1, WILD]], 4)
        fails(l, INSERT, [0, WILD], 4)
        fails(l, SET, [0, INF], 4)
        fails(nil, APPEND, [WILD], 4)
        check(l, GET_ALL_BY_VALUE, [.i(COUNT), WILD], 3)
    }

    func testReturnTypes() {
        let l = unordered([1, 2, 3])
        for rt in [KEY, 8, 9, 10, 11, 12, 14, 16, 17, 99] {
            fails(l, GET_BY_INDEX, [.i(rt), 0], 26)
            fails(l, GET_BY_INDEX_RANGE, [.i(rt), 0], 26)
            fails(l, REMOVE_BY_VALUE_INTERVAL, [.i(rt), 1], 26)
        }
        // Other bits above the type are ignored, INVERTED aside.
        check(l, GET_BY_INDEX, [.i(VALUE | 0x20000), 0], 1)
    }

    func testFailingOpsLeaveTheListAlone() {
        fails(unordered([1, "a"]), INCREMENT, [1, 1], 4)
        fails(unordered([1, 2, 3]), APPEND_ITEMS, [[4, 5, 2], 0, .i(ADD_UNIQUE)], 24)
        fails(ordered([1, 2, 3]), APPEND_ITEMS, [[4, 5, 2], 0, .i(ADD_UNIQUE)], 24)
        fails(unordered([2, 1, 2, 3]), SORT, [3], 4)
        fails(unordered([1, 2]), REMOVE_BY_INDEX, [.i(VALUE), 2], 26)
        fails(unordered([1, 2]), REMOVE_BY_RANK_RANGE, [.i(KEY), 0], 26)
        fails(ordered([1, 2]), INSERT, [0, 1], 26)
        fails(nil, INCREMENT, [-1], 26)
    }
}

// MARK: - Randomized, against simple models

final class ListOpsRandomTests: ListOpsTestCase {
    /// The plain-array model of an unordered list's index ops.
    private struct Model {
        var a: [Int64?] = []

        static func enc(_ v: Int64?) -> V { v.map { .i($0) } ?? .n }
        var encoded: [[UInt8]] { a.map { Model.enc($0).mp } }

        /// Single index → position, or nil (26).
        func single(_ i: Int) -> Int? {
            let k = i < 0 ? a.count + i : i
            return k >= 0 && k < a.count ? k : nil
        }
        /// (index, count) window clipped to the list (count nil = to the end).
        func window(_ i: Int, _ c: Int?) -> Range<Int> {
            let n = a.count
            let s = i < 0 ? n + i : i
            let e = c.map { s + $0 } ?? n
            let lo = min(max(s, 0), n), hi = min(max(e, 0), n)
            return lo < hi ? lo..<hi : lo..<lo
        }
        /// Insert position, or nil (26); beyond the end pads with nils.
        mutating func insert(_ i: Int, _ vs: [Int64?]) -> Bool {
            let k = i < 0 ? a.count + i : i
            guard k >= 0 else { return false }
            if k > a.count { a += [Int64?](repeating: nil, count: k - a.count) }
            a.insert(contentsOf: vs, at: k)
            return true
        }
    }

    private enum Outcome: Equatable { case result([UInt8]?), error(UInt8) }

    func testRandomIndexOpsAgainstModel() throws {
        var rng = SplitMix(seed: 42)
        for round in 0..<40 {
            var m = Model()
            var l: CDTList? = round % 4 == 0 ? nil : CDTList()
            for step in 0..<150 {
                let n = m.a.count
                let idx = Int.random(in: -(n + 3)...(n + 3), using: &rng)
                let cnt: Int? = Bool.random(using: &rng) ? Int.random(in: 0...(n + 2), using: &rng) : nil
                let v = Int64.random(in: -5...5, using: &rng)
                let cntArgs: [V] = cnt.map { [.i(Int64($0))] } ?? []
                var code = 0
                var args: [V] = []
                var want: Outcome
                let before = m
                switch Int.random(in: 0..<13, using: &rng) {
                case 0:
                    code = APPEND; args = [.i(v)]
                    m.a.append(v); want = .result(MP.int(Int64(m.a.count)))
                case 1:
                    code = INSERT; args = [.i(Int64(idx)), .i(v)]
                    want = m.insert(idx, [v]) ? .result(MP.int(Int64(m.a.count))) : .error(26)
                case 2:
                    let vs: [Int64?] = (0..<Int.random(in: 0...3, using: &rng)).map { _ in Int64.random(in: 0...9, using: &rng) }
                    code = INSERT_ITEMS; args = [.i(Int64(idx)), .l(vs.map(Model.enc))]
                    if vs.isEmpty { want = .result(MP.int(Int64(n))) } else {
                        want = m.insert(idx, vs) ? .result(MP.int(Int64(m.a.count))) : .error(26)
                    }
                case 3:
                    code = POP; args = [.i(Int64(idx))]
                    if let k = m.single(idx) { want = .result(Model.enc(m.a.remove(at: k)).mp) } else { want = .error(26) }
                case 4:
                    code = REMOVE; args = [.i(Int64(idx))]
                    if let k = m.single(idx) { m.a.remove(at: k); want = .result(MP.int(1)) } else { want = .error(26) }
                case 5:
                    code = POP_RANGE; args = [.i(Int64(idx))] + cntArgs
                    let w = m.window(idx, cnt)
                    want = .result(MP.list(m.a[w].map { Model.enc($0).mp }))
                    m.a.removeSubrange(w)
                case 6:
                    code = REMOVE_RANGE; args = [.i(Int64(idx))] + cntArgs
                    let w = m.window(idx, cnt)
                    want = .result(MP.int(Int64(w.count)))
                    m.a.removeSubrange(w)
                case 7:
                    code = SET; args = [.i(Int64(idx)), .i(v)]
                    if idx >= n {
                        _ = m.insert(idx, [v]); want = .result(nil)
                    } else if let k = m.single(idx) {
                        m.a[k] = v; want = .result(nil)
                    } else {
                        want = .error(26)
                    }
                case 8:
                    code = GET; args = [.i(Int64(idx))]
                    want = m.single(idx).map { .result(Model.enc(m.a[$0]).mp) } ?? .error(26)
                case 9:
                    code = GET_RANGE; args = [.i(Int64(idx))] + cntArgs
                    want = .result(MP.list(m.a[m.window(idx, cnt)].map { Model.enc($0).mp }))
                case 10:
                    code = SIZE
                    want = .result(MP.int(Int64(n)))
                case 11:
                    let c = cnt ?? 2
                    code = TRIM; args = [.i(Int64(idx)), .i(Int64(c))]
                    let w = m.window(idx, c)
                    want = .result(MP.int(Int64(n - w.count)))
                    m.a = Array(m.a[w])
                default:
                    code = GET_BY_INDEX_RANGE; args = [.i(VALUE | INV), .i(Int64(idx))] + cntArgs
                    let w = m.window(idx, cnt)
                    want = .result(MP.list((Array(m.a[..<w.lowerBound]) + Array(m.a[w.upperBound...])).map { Model.enc($0).mp }))
                }
                if case .error = want { m = before }
                // On a missing list, reads and the pop/remove family answer nothing and create nothing.
                let wasNil = l == nil
                let noOpWhenMissing = !ListOps.isModify(code) || [POP, REMOVE, POP_RANGE, REMOVE_RANGE, TRIM].contains(code)
                if wasNil && noOpWhenMissing { want = .result(nil); m = before }

                var got: Outcome
                do { got = .result(try run(&l, code, args)) } catch let e as CDTError { got = .error(e.code) }
                let ctx = "round \(round) step \(step): op \(code) \(args)"
                XCTAssertEqual(got, want, ctx)
                XCTAssertEqual(l?.items ?? [], m.encoded, ctx)
                if wasNil && noOpWhenMissing { XCTAssertNil(l, ctx) }
                if got != want { return }
            }
        }
    }

    /// Value selections on random unordered lists (with duplicates) agree with the same
    /// list ordered and with a direct count; rank windows hold the right values.
    func testRandomValueSelectionsUnorderedVsOrdered() throws {
        var rng = SplitMix(seed: 9)
        for _ in 0..<60 {
            let n = Int.random(in: 0...12, using: &rng)
            let vals = (0..<n).map { _ in Int64.random(in: 0...6, using: &rng) }
            let u = unordered(vals.map { .i($0) })
            let o = ordered(vals.sorted().map { .i($0) })
            let sorted = vals.sorted()
            for _ in 0..<10 {
                let b = Int64.random(in: -1...7, using: &rng), e = Int64.random(in: -1...8, using: &rng)
                let inInterval = vals.filter { $0 >= b && $0 < e }
                for l in [u, o] {
                    var x: CDTList? = l
                    XCTAssertEqual(try run(&x, GET_BY_VALUE_INTERVAL, [.i(COUNT), .i(b), .i(e)]), MP.int(Int64(inInterval.count)))
                    let r = try run(&x, REMOVE_BY_VALUE_INTERVAL, [.i(COUNT | INV), .i(b), .i(e)])
                    XCTAssertEqual(r, MP.int(Int64(n - inInterval.count)))
                    XCTAssertEqual(x?.items.count, inInterval.count)
                }
                let list: [Int64] = [b, e, b + 1]
                let inList = vals.filter { list.contains($0) }.count
                for l in [u, o] {
                    var x: CDTList? = l
                    XCTAssertEqual(try run(&x, GET_ALL_BY_VALUE_LIST, [.i(COUNT), .l(list.map { .i($0) })]), MP.int(Int64(inList)))
                    XCTAssertEqual(try run(&x, GET_ALL_BY_VALUE, [.i(COUNT), .i(b)]), MP.int(Int64(vals.filter { $0 == b }.count)))
                }
                // Rank window: the selected values are the sorted slice, whatever their order.
                let rank = Int64.random(in: -Int64(n + 1)...Int64(n + 1), using: &rng)
                let count = Int64.random(in: 0...Int64(n + 1), using: &rng)
                var s = rank < 0 ? Int64(n) + rank : rank
                var c = count
                if s < 0 { c = max(0, c + s); s = 0 }
                let window = s >= n ? [] : Array(sorted[Int(s)..<Int(min(Int64(n), s + c))])
                for l in [u, o] {
                    var x: CDTList? = l
                    let r = try run(&x, GET_BY_RANK_RANGE, [.i(VALUE), .i(rank), .i(count)])
                    let got = try CDTList.parse(r ?? []).items.map { b -> Int64 in
                        try b.withReader { r throws(CDTError) in try r.next().int }
                    }
                    XCTAssertEqual(got.sorted(), window, "\(vals) rank \(rank) count \(count)")
                    let idx = try run(&x, GET_BY_RANK_RANGE, [.i(INDEX), .i(rank), .i(count)])
                    let positions = try CDTList.parse(idx ?? []).items.map { b -> Int64 in
                        try b.withReader { r throws(CDTError) in try r.next().int }
                    }
                    XCTAssertEqual(positions, positions.sorted())
                    XCTAssertEqual(positions.map { x!.items[Int($0)] }.map { b -> Int64 in
                        (try? b.withReader { r throws(CDTError) in try r.next().int }) ?? -99
                    }.sorted(), window)
                }
            }
        }
    }
}
