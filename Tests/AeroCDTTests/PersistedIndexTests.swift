import XCTest
@testable import AeroCDT

/// Indexed (persisted) collections: the stored layout, the client form, and the fast paths
/// against the general path on the same values.
final class PersistedIndexTests: XCTestCase {
    struct Rng {
        var s: UInt64
        mutating func next() -> UInt64 { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s }
        mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
    }

    func op(_ code: Int, _ args: [[UInt8]]) -> [UInt8] { MP.list([MP.int(Int64(code))] + args) }

    func run(_ payload: [UInt8], _ bin: [UInt8], modify: Bool) -> Result<CDTExecutor.Outcome, CDTError> {
        Result { () throws(CDTError) -> CDTExecutor.Outcome in
            try payload.withBytes { (p: UnsafeRawBufferPointer) throws(CDTError) in
                try bin.withBytes { (b: UnsafeRawBufferPointer) throws(CDTError) in
                    try CDTExecutor.run(payload: p, bin: b, binIsCollection: true, modify: modify)
                }
            }
        }
    }
    /// The general path: same op on the value without its index.
    func general(_ code: Int, _ args: [[UInt8]], _ bin: [UInt8], isList: Bool) -> Result<([UInt8]?, [UInt8]?), CDTError> {
        Result { () throws(CDTError) -> ([UInt8]?, [UInt8]?) in
            try CDTExecutor.applyOp(code: code, args: OpArgs(args), isList: isList, to: bin)
        }
    }

    func testLayoutAndClientForm() throws {
        let m = CDTMap(flags: 0x11, entries: [.init(key: MP.string("a"), value: MP.int(1)), .init(key: MP.string("b"), value: MP.int(2))])
        let stored = m.encode()
        let idx = try XCTUnwrap(stored.withUnsafeBytes { PersistedIndex($0).map { ($0.count, $0.isMap) } })
        XCTAssertEqual(idx.0, 2)
        XCTAssertTrue(idx.1)
        XCTAssertEqual(try CDTMap.parse(stored), m, "the index is invisible to parsing")
        let client = try XCTUnwrap(stored.withUnsafeBytes { Normalize.clientMarker($0) })
        let shown = Array(stored[0..<client.headerEnd]) + [0xc7, 0, client.flags] + Array(stored[client.markerEnd...])
        XCTAssertEqual(shown, m.encode(forClient: true))
        XCTAssertEqual(shown, [0x83, 0xc7, 0x00, 0x01, 0xc0, 0xa2, 0x03, 0x61, 0x01, 0xa2, 0x03, 0x62, 0x02])
    }

    func testMapFastReadsMatchTheGeneralPath() throws {
        var rng = Rng(s: 0x5eed)
        for round in 0..<1000 {
            // Key-ordered and key/value-ordered (the latter with its rank index).
            var m = CDTMap(flags: round % 2 == 0 ? 0x11 : 0x13)
            for _ in 0..<rng.int(0...40) {
                let k = rng.int(0...3) == 0 ? MP.string("k\(rng.int(0...50))") : MP.int(Int64(rng.int(-50...50)))
                let (i, found) = m.find(key: k)
                if !found { m.entries.insert(.init(key: k, value: MP.int(Int64(rng.int(0...9)))), at: i) }
            }
            let bin = m.encode()
            let rts: [Int64] = [0, 1, 5, 6, 7, 8, 13, 16, 17, 0x10007, 2, 3, 4]
            let rt = MP.int(rts[rng.int(0...(rts.count - 1))])
            let n = m.count
            var code = [96, 97, 98, 104, 100, 106][rng.int(0...5)]
            var args: [[UInt8]]
            switch code {
            case 96: args = []
            case 97: args = [rt, rng.int(0...1) == 0 ? MP.int(Int64(rng.int(-50...50))) : MP.string("k\(rng.int(0...50))")]
            case 98, 100: args = [rt, MP.int(Int64(rng.int(-n - 2...n + 2)))]
            default:
                args = [rt, MP.int(Int64(rng.int(-n - 3...n + 3)))]
                if rng.int(0...1) == 0 { args.append(MP.int(Int64(rng.int(0...n + 2)))) }
            }
            let fast = run(op(code, args), bin, modify: false)
            let slow = general(code, args, bin, isList: false)
            switch (fast, slow) {
            case (.success(let f), .success(let g)):
                XCTAssertEqual(f.result, g.1, "round \(round) code \(code) args \(args)")
                XCTAssertNil(f.newValue)
            case (.failure(let f), .failure(let g)):
                XCTAssertEqual(f, g, "round \(round)")
            default:
                XCTFail("round \(round) code \(code): fast \(fast) vs general \(slow)")
            }
        }
    }

    func testOrderedListAppendMatchesTheGeneralPath() throws {
        var rng = Rng(s: 77)
        for round in 0..<300 {
            var l = CDTList(flags: 0x11)
            for _ in 0..<rng.int(0...30) { l.items.append(MP.int(Int64(rng.int(0...20)))) }
            l.sortByValue()
            let bin = l.encode()
            let flags: [Int64] = [0, 1, 5, 13, 4]
            var args = [rng.int(0...4) == 0 ? MP.string("s\(rng.int(0...3))") : MP.int(Int64(rng.int(0...20)))]
            if rng.int(0...1) == 0 { args += [MP.int(1), MP.int(flags[rng.int(0...4)])] }
            let fast = run(op(1, args), bin, modify: true)
            let slow = general(1, args, bin, isList: true)
            switch (fast, slow) {
            case (.success(let f), .success(let g)):
                XCTAssertEqual(f.result, g.1, "round \(round)")
                XCTAssertEqual(f.newValue ?? bin, g.0, "round \(round): stored bytes, index included")
            case (.failure(let f), .failure(let g)):
                XCTAssertEqual(f, g, "round \(round)")
            default:
                XCTFail("round \(round): fast \(fast) vs general \(slow)")
            }
        }
    }
}
