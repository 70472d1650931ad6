import XCTest
@testable import AeroEngine

/// The secondary-index multimap, against a plain sorted array of `IndexKey`.
final class OrderedIndexTests: XCTestCase {
    /// Deterministic generator (SplitMix64) so failures reproduce.
    struct RNG: RandomNumberGenerator {
        var s: UInt64
        init(seed: UInt64) { s = seed }
        mutating func next() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The reference: a sorted array without duplicates.
    struct Model {
        var a: [IndexKey] = []
        func lowerBound(_ k: IndexKey) -> Int {
            var lo = 0, hi = a.count
            while lo < hi { let m = (lo + hi) / 2; if a[m] < k { lo = m + 1 } else { hi = m } }
            return lo
        }
        mutating func insert(_ k: IndexKey) -> Bool {
            let i = lowerBound(k)
            if i < a.count && a[i] == k { return false }
            a.insert(k, at: i); return true
        }
        mutating func remove(_ k: IndexKey) -> Bool {
            let i = lowerBound(k)
            guard i < a.count && a[i] == k else { return false }
            a.remove(at: i); return true
        }
        func contains(_ k: IndexKey) -> Bool { let i = lowerBound(k); return i < a.count && a[i] == k }
        func range(_ lo: Int64, _ hi: Int64, after: IndexKey?) -> [IndexKey] {
            a.filter { $0.bval >= lo && $0.bval <= hi && (after == nil || after! < $0) }
        }
    }

    func digest(bytes b: [UInt8]) -> Digest { Digest(bytes: b + [UInt8](repeating: 0, count: max(0, 20 - b.count))) }
    func randomDigest(_ r: inout RNG) -> Digest {
        Digest(w0: r.next(), w1: r.next(), w2: UInt32(truncatingIfNeeded: r.next()))
    }
    /// Digests that differ in one byte only, so order depends on the byte order, not the words' values.
    func smallDigest(_ i: Int) -> Digest {
        var b = [UInt8](repeating: 0, count: 20)
        b[i % 20] = UInt8(truncatingIfNeeded: i / 20 + 1)
        return Digest(bytes: b)
    }

    func all(_ ix: OrderedIndex) -> [IndexKey] { visit(ix, .min, .max, after: nil) }
    func visit(_ ix: OrderedIndex, _ lo: Int64, _ hi: Int64, after: IndexKey?, limit: Int = .max) -> [IndexKey] {
        var out: [IndexKey] = []
        if limit == 0 { return out }
        ix.forEach(bvalFrom: lo, to: hi, after: after) { out.append($0); return out.count < limit }
        return out
    }
    func assertSound(_ ix: OrderedIndex, file: StaticString = #filePath, line: UInt = #line) {
        if let v = ix.invariantViolation() { XCTFail(v, file: file, line: line) }
    }

    // MARK: - Basics

    func testEmpty() {
        func requireSendable<T: Sendable>(_: T.Type) {}
        requireSendable(OrderedIndex.self)
        requireSendable(IndexKey.self)
        var ix = OrderedIndex()
        let k = IndexKey(bval: 1, digest: smallDigest(3))
        XCTAssertEqual(ix.count, 0)
        XCTAssertFalse(ix.contains(k))
        XCTAssertFalse(ix.remove(k))
        XCTAssertEqual(all(ix), [])
        XCTAssertEqual(visit(ix, 0, 10, after: k), [])
        XCTAssertEqual(visit(ix, 5, 4, after: nil), [])
        XCTAssertGreaterThanOrEqual(ix.memoryBytes, 0)
        ix.removeAll()
        XCTAssertEqual(ix.count, 0)
        assertSound(ix)
        // Emptied by removals, then reused.
        XCTAssertTrue(ix.insert(k))
        XCTAssertTrue(ix.remove(k))
        XCTAssertEqual(ix.count, 0)
        XCTAssertEqual(all(ix), [])
        assertSound(ix)
        XCTAssertTrue(ix.insert(k))
        XCTAssertEqual(all(ix), [k])
    }

    func testIndexKeyOrder() {
        let lo = digest(bytes: [0x00, 0xFF]), hi = digest(bytes: [0x01, 0x00])
        XCTAssertTrue(Digest.byteOrderLess(lo, hi))
        XCTAssertLessThan(IndexKey(bval: 5, digest: lo), IndexKey(bval: 5, digest: hi))
        XCTAssertLessThan(IndexKey(bval: 4, digest: hi), IndexKey(bval: 5, digest: lo))
        XCTAssertLessThan(IndexKey(bval: -1, digest: hi), IndexKey(bval: 0, digest: lo))
        XCTAssertEqual(IndexKey(bval: 5, digest: lo), IndexKey(bval: 5, digest: lo))
        XCTAssertFalse(IndexKey(bval: 5, digest: lo) < IndexKey(bval: 5, digest: lo))
        // The last word and the middle word count, in byte order.
        let a = digest(bytes: [UInt8](repeating: 0, count: 19) + [1])
        let b = digest(bytes: [UInt8](repeating: 0, count: 8) + [1])
        XCTAssertLessThan(IndexKey(bval: 0, digest: a), IndexKey(bval: 0, digest: b))
    }

    func testDuplicatesAndDigestByteOrder() {
        var ix = OrderedIndex(chunkCapacity: 4)
        var r = RNG(seed: 7)
        var keys = (0..<200).map { IndexKey(bval: 42, digest: smallDigest($0)) }
        keys.shuffle(using: &r)
        for k in keys { XCTAssertTrue(ix.insert(k)) }
        for k in keys { XCTAssertFalse(ix.insert(k)) }
        XCTAssertEqual(ix.count, 200)
        XCTAssertEqual(all(ix), keys.sorted())
        let d = all(ix).map(\.digest)
        for i in 1..<d.count { XCTAssertTrue(Digest.byteOrderLess(d[i - 1], d[i])) }
        assertSound(ix)
    }

    func testSameDigestUnderManyBvals() {
        var ix = OrderedIndex(chunkCapacity: 8)
        let d = smallDigest(5), other = smallDigest(6)
        for v in stride(from: Int64(999), through: 0, by: -1) {
            XCTAssertTrue(ix.insert(IndexKey(bval: v, digest: d)))
            XCTAssertTrue(ix.insert(IndexKey(bval: v, digest: other)))
        }
        XCTAssertEqual(ix.count, 2000)
        XCTAssertTrue(ix.contains(IndexKey(bval: 500, digest: d)))
        XCTAssertFalse(ix.contains(IndexKey(bval: 1000, digest: d)))
        for v in stride(from: Int64(0), to: 1000, by: 2) { XCTAssertTrue(ix.remove(IndexKey(bval: v, digest: d))) }
        XCTAssertEqual(ix.count, 1500)
        // `other` (byte 6 set) sorts before `d` (byte 5 set) in byte order.
        XCTAssertTrue(Digest.byteOrderLess(other, d))
        XCTAssertEqual(visit(ix, 10, 13, after: nil), [
            IndexKey(bval: 10, digest: other),
            IndexKey(bval: 11, digest: other), IndexKey(bval: 11, digest: d),
            IndexKey(bval: 12, digest: other),
            IndexKey(bval: 13, digest: other), IndexKey(bval: 13, digest: d),
        ])
        assertSound(ix)
    }

    func testExtremeBvals() {
        let zero = Digest(w0: 0, w1: 0, w2: 0), ones = Digest(w0: .max, w1: .max, w2: .max)
        let mid = smallDigest(9)
        let keys = [Int64.min, Int64.min + 1, -1, 0, 1, Int64.max - 1, Int64.max].flatMap { v in
            [zero, mid, ones].map { IndexKey(bval: v, digest: $0) }
        }
        for cap in [4, 512] {
            var ix = OrderedIndex(chunkCapacity: cap)
            for k in keys.reversed() { XCTAssertTrue(ix.insert(k)) }
            XCTAssertEqual(all(ix), keys)
            XCTAssertEqual(visit(ix, .min, .min, after: nil), Array(keys[0..<3]))
            XCTAssertEqual(visit(ix, .max, .max, after: nil), Array(keys[18..<21]))
            XCTAssertEqual(visit(ix, .max, .max, after: IndexKey(bval: .max, digest: mid)), [keys[20]])
            XCTAssertEqual(visit(ix, .min, .max, after: IndexKey(bval: .max, digest: ones)), [])
            XCTAssertEqual(visit(ix, .min, .max, after: IndexKey(bval: .min, digest: zero)), Array(keys[1...]))
            XCTAssertEqual(visit(ix, .max, .min, after: nil), [])
            XCTAssertEqual(visit(ix, .min + 1, .max - 1, after: nil), Array(keys[3..<18]))
            XCTAssertTrue(ix.contains(IndexKey(bval: .min, digest: zero)))
            XCTAssertTrue(ix.contains(IndexKey(bval: .max, digest: ones)))
            XCTAssertTrue(ix.remove(IndexKey(bval: .min, digest: zero)))
            XCTAssertTrue(ix.remove(IndexKey(bval: .max, digest: ones)))
            XCTAssertEqual(all(ix), Array(keys[1..<20]))
            assertSound(ix)
        }
    }

    // MARK: - Against the model

    func testRandomOperationsAgainstModel() {
        for (cap, seed, bvals, digests) in [(4, 1, 8, 8), (8, 2, 50, 30), (16, 3, 1000, 1000), (512, 4, 40, 200)] {
            var r = RNG(seed: UInt64(seed))
            var ix = OrderedIndex(chunkCapacity: cap)
            var model = Model()
            let pool = (0..<digests).map { _ in randomDigest(&r) }
            func randomKey() -> IndexKey {
                IndexKey(bval: Int64(r.next() % UInt64(bvals)) - Int64(bvals / 2), digest: pool[Int(r.next() % UInt64(digests))])
            }
            var snapshots: [(OrderedIndex, [IndexKey])] = []
            for step in 0..<20_000 {
                if step % 2_500 == 1_000 { snapshots.append((ix, model.a)) }   // copies share chunks
                let k = randomKey()
                // Phases that grow, then shrink, then churn, so chunks split and merge.
                let insertBias: UInt64 = step < 8_000 ? 70 : step < 14_000 ? 30 : 50
                let op = r.next() % 100
                if op < insertBias {
                    XCTAssertEqual(ix.insert(k), model.insert(k), "insert \(k) cap \(cap) step \(step)")
                } else if op < 95 {
                    // Remove something present half the time.
                    let victim = !model.a.isEmpty && r.next() % 2 == 0 ? model.a[Int(r.next() % UInt64(model.a.count))] : k
                    XCTAssertEqual(ix.remove(victim), model.remove(victim), "remove \(victim) cap \(cap) step \(step)")
                } else {
                    XCTAssertEqual(ix.contains(k), model.contains(k))
                }
                XCTAssertEqual(ix.count, model.a.count)
                if step % 997 == 0 {
                    assertSound(ix)
                    XCTAssertEqual(all(ix), model.a, "cap \(cap) step \(step)")
                }
                if step % 101 == 0 {
                    let a = Int64(r.next() % UInt64(bvals + 4)) - Int64(bvals / 2) - 2
                    let b = a + Int64(r.next() % UInt64(bvals / 2 + 1))
                    let after: IndexKey? = r.next() % 2 == 0 ? randomKey() : nil
                    XCTAssertEqual(visit(ix, a, b, after: after), model.range(a, b, after: after), "range \(a)...\(b) after \(String(describing: after))")
                }
            }
            assertSound(ix)
            XCTAssertEqual(all(ix), model.a)
            // Copies taken along the way were not disturbed by later writes to `ix`.
            for (snap, want) in snapshots {
                XCTAssertEqual(snap.count, want.count)
                XCTAssertEqual(all(snap), want, "snapshot, cap \(cap)")
                assertSound(snap)
            }
            for k in model.a.shuffled(using: &r) { XCTAssertTrue(ix.remove(k)) }
            XCTAssertEqual(ix.count, 0)
            XCTAssertEqual(all(ix), [])
            assertSound(ix)
        }
    }

    func testRangesAgainstModel() {
        var r = RNG(seed: 11)
        for cap in [4, 7, 64] {
            var ix = OrderedIndex(chunkCapacity: cap)
            var model = Model()
            for _ in 0..<3_000 {
                let k = IndexKey(bval: Int64(r.next() % 60) - 30, digest: smallDigest(Int(r.next() % 100)))
                XCTAssertEqual(ix.insert(k), model.insert(k))
            }
            assertSound(ix)
            for _ in 0..<500 {
                let a = Int64(r.next() % 70) - 35, b = Int64(r.next() % 70) - 35
                let after: IndexKey?
                switch r.next() % 4 {
                case 0: after = nil
                case 1: after = model.a[Int(r.next() % UInt64(model.a.count))]   // present
                case 2: after = IndexKey(bval: Int64(r.next() % 80) - 40, digest: smallDigest(Int(r.next() % 120)))
                default: after = IndexKey(bval: a - 1, digest: smallDigest(0))     // below the range
                }
                XCTAssertEqual(visit(ix, a, b, after: after), model.range(a, b, after: after), "\(a)...\(b) after \(String(describing: after))")
            }
        }
    }

    // MARK: - Cursors

    /// Pages of every size through ranges full of equal bvals; each page resumes after the last
    /// entry of the previous one, and the pages together are exactly the range.
    func testPagedCursorsResumeExactly() {
        var r = RNG(seed: 21)
        for cap in [4, 5, 8, 512] {
            var ix = OrderedIndex(chunkCapacity: cap)
            var model = Model()
            for _ in 0..<1_500 {
                let k = IndexKey(bval: Int64(r.next() % 4), digest: randomDigest(&r))   // ~375 entries per bval
                XCTAssertEqual(ix.insert(k), model.insert(k))
            }
            for (lo, hi) in [(Int64(0), Int64(3)), (1, 1), (1, 2), (.min, .max), (3, 9)] {
                let want = model.range(lo, hi, after: nil)
                for page in [1, 2, 3, 4, 5, 7, 64, 1000] {
                    var got: [IndexKey] = []
                    var cursor: IndexKey? = nil
                    while true {
                        let p = visit(ix, lo, hi, after: cursor, limit: page)
                        got += p
                        if p.count < page { break }
                        cursor = p.last
                    }
                    XCTAssertEqual(got, want, "cap \(cap) range \(lo)...\(hi) page \(page)")
                }
            }
        }
    }

    /// Resuming after every entry — so after the last of every chunk and the first of the next —
    /// yields its successor.
    func testResumeAfterEveryEntryAcrossChunkBoundaries() {
        var r = RNG(seed: 31)
        for cap in [4, 6, 16] {
            var ix = OrderedIndex(chunkCapacity: cap)
            var model = Model()
            for _ in 0..<400 { let k = IndexKey(bval: Int64(r.next() % 3), digest: smallDigest(Int(r.next() % 200))); _ = ix.insert(k); _ = model.insert(k) }
            XCTAssertGreaterThan(ix.chunks.count, 10)
            for (i, k) in model.a.enumerated() {
                let next = i + 1 < model.a.count ? [model.a[i + 1]] : []
                XCTAssertEqual(visit(ix, .min, .max, after: k, limit: 1), next)
                XCTAssertEqual(visit(ix, k.bval, k.bval, after: k), model.range(k.bval, k.bval, after: k))
            }
            // Chunk boundaries precisely: resume after each chunk's last entry and just before its first.
            for ci in 0..<ix.chunks.count {
                let c = ix.chunks[ci]
                let last = c.key(c.count - 1).indexKey
                XCTAssertEqual(visit(ix, .min, .max, after: last), model.range(.min, .max, after: last))
                // A whole bval's run, which spans several chunks, from its start.
                let first = c.key(0).indexKey
                XCTAssertEqual(visit(ix, first.bval, first.bval, after: nil), model.range(first.bval, first.bval, after: nil))
            }
        }
    }

    /// The cursor entry was removed between pages: resume at its successor, skip nothing.
    func testResumeAfterRemovedCursor() {
        var ix = OrderedIndex(chunkCapacity: 4)
        var model = Model()
        for v in 0..<5 { for d in 0..<20 { let k = IndexKey(bval: Int64(v), digest: smallDigest(d)); ix.insert(k); _ = model.insert(k) } }
        var cursor: IndexKey? = nil
        var got: [IndexKey] = []
        while true {
            let p = visit(ix, 1, 3, after: cursor, limit: 3)
            got += p
            if p.count < 3 { break }
            cursor = p.last
            XCTAssertTrue(ix.remove(cursor!))   // remove the cursor itself
        }
        XCTAssertEqual(got, model.range(1, 3, after: nil))
        assertSound(ix)
    }

    func testVisitStopsWhenAsked() {
        var ix = OrderedIndex(chunkCapacity: 4)
        for v in 0..<100 { ix.insert(IndexKey(bval: Int64(v), digest: smallDigest(0))) }
        var calls = 0
        ix.forEach(bvalFrom: 0, to: 99, after: nil) { _ in calls += 1; return calls < 10 }
        XCTAssertEqual(calls, 10)
        calls = 0
        ix.forEach(bvalFrom: 0, to: 99, after: nil) { _ in calls += 1; return false }
        XCTAssertEqual(calls, 1)
    }

    // MARK: - Structure

    func testSequentialFillAndDrainSplitAndMerge() {
        for cap in [4, 512] {
            var ix = OrderedIndex(chunkCapacity: cap)
            let n = cap * 40
            let keys = (0..<n).map { IndexKey(bval: Int64($0 / 3), digest: smallDigest($0 % 3)) }.sorted()
            for k in keys { ix.insert(k) }           // ascending: always at the end
            for k in keys.reversed() { XCTAssertFalse(ix.insert(k)) }
            XCTAssertEqual(all(ix), keys)
            assertSound(ix)
            XCTAssertGreaterThanOrEqual(ix.chunks.count, n / cap)
            for k in keys where k.bval % 2 == 0 { XCTAssertTrue(ix.remove(k)) }   // thin every chunk
            assertSound(ix)
            XCTAssertEqual(all(ix), keys.filter { $0.bval % 2 != 0 })
            for k in keys where k.bval % 2 != 0 { XCTAssertTrue(ix.remove(k)) }
            XCTAssertEqual(ix.count, 0)
            XCTAssertTrue(ix.chunks.isEmpty)
            // Descending: always at the front, so the first chunk's minimum keeps changing.
            for k in keys.reversed() { ix.insert(k) }
            XCTAssertEqual(all(ix), keys)
            assertSound(ix)
        }
    }

    func testCopiesAreIndependent() {
        var a = OrderedIndex(chunkCapacity: 4)
        for v in 0..<50 { a.insert(IndexKey(bval: Int64(v), digest: smallDigest(1))) }
        var b = a
        b.remove(IndexKey(bval: 10, digest: smallDigest(1)))
        b.insert(IndexKey(bval: 100, digest: smallDigest(1)))
        XCTAssertEqual(a.count, 50)
        XCTAssertTrue(a.contains(IndexKey(bval: 10, digest: smallDigest(1))))
        XCTAssertFalse(a.contains(IndexKey(bval: 100, digest: smallDigest(1))))
        XCTAssertEqual(b.count, 50)
        assertSound(a); assertSound(b)
    }

    func testMemoryAndRemoveAll() {
        var r = RNG(seed: 41)
        var ix = OrderedIndex()
        var keys: [IndexKey] = []
        for _ in 0..<100_000 { let k = IndexKey(bval: Int64(bitPattern: r.next()), digest: randomDigest(&r)); keys.append(k); ix.insert(k) }
        XCTAssertEqual(ix.count, 100_000)
        let perEntry = Double(ix.memoryBytes) / Double(ix.count)
        XCTAssertGreaterThanOrEqual(perEntry, 28)
        XCTAssertLessThan(perEntry, 36, "bytes per entry \(perEntry)")
        assertSound(ix)
        // Removing most entries gives memory back.
        for k in keys[0..<90_000] { XCTAssertTrue(ix.remove(k)) }
        XCTAssertLessThan(Double(ix.memoryBytes) / Double(ix.count), 40)
        assertSound(ix)
        XCTAssertEqual(all(ix), keys[90_000...].sorted())
        ix.removeAll()
        XCTAssertEqual(ix.count, 0)
        XCTAssertEqual(all(ix), [])
        XCTAssertLessThan(ix.memoryBytes, 1024)
        XCTAssertFalse(ix.contains(keys[95_000]))
        XCTAssertTrue(ix.insert(keys[95_000]))
        XCTAssertEqual(ix.count, 1)
    }
}
