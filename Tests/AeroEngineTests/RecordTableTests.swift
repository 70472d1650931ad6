import XCTest
@testable import AeroEngine

/// The open-addressing index against a Dictionary model, through growth and deletions.
final class RecordTableTests: XCTestCase {
    /// A minimal record buffer holding the digest tail where the table looks for it.
    func record(_ d: Digest) -> UnsafeMutableRawPointer {
        let p = malloc(RecordRef.headerSize)!
        memset(p, 0, RecordRef.headerSize)
        p.storeBytes(of: d.w2, toByteOffset: 12, as: UInt32.self)
        return p
    }

    func testMatchesADictionaryModel() {
        var table = RecordTable()
        var model: [Digest: UnsafeMutableRawPointer] = [:]
        var rng = SplitMix(seed: 42)
        var keys: [Digest] = []
        for step in 0..<20_000 {
            let op = rng.next() % 10
            if op < 6 || keys.isEmpty {
                // Some digests share their first 16 bytes to exercise the tail check.
                let d = keys.isEmpty || rng.next() % 4 != 0
                    ? Digest(w0: rng.next(), w1: rng.next() & 0xFF, w2: UInt32(truncatingIfNeeded: rng.next()))
                    : Digest(w0: keys[0].w0, w1: keys[0].w1, w2: UInt32(truncatingIfNeeded: rng.next()))
                let r = record(d)
                if let old = table.put(d, r) { XCTAssertEqual(model[d], old); free(old) } else { XCTAssertNil(model[d]); keys.append(d) }
                model[d] = r
            } else {
                let i = Int(rng.next() % UInt64(keys.count))
                let d = keys.remove(at: i)
                let r = table.remove(d)
                XCTAssertEqual(r, model.removeValue(forKey: d), "step \(step)")
                free(r)
            }
            XCTAssertEqual(table.count, model.count)
        }
        for (d, r) in model { XCTAssertEqual(table.get(d), r) }
        var seen = 0
        table.forEach { d, r in seen += 1; XCTAssertEqual(model[d], r) }
        XCTAssertEqual(seen, model.count)
        XCTAssertNil(table.get(Digest(w0: 1, w1: 2, w2: 3)))
        table.removeAll()
        XCTAssertEqual(table.count, 0)
    }
}

struct SplitMix {
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
