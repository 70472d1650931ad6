/// One secondary-index entry: a bin value (integer, or a string/GeoJSON hash folded to Int64)
/// and the digest of the record holding it. Ordered by `bval`, then by digest in byte order.
public struct IndexKey: Comparable, Sendable {
    public var bval: Int64
    public var digest: Digest

    @inlinable public init(bval: Int64, digest: Digest) { self.bval = bval; self.digest = digest }

    @inlinable public static func < (a: IndexKey, b: IndexKey) -> Bool {
        if a.bval != b.bval { return a.bval < b.bval }
        return Digest.byteOrderLess(a.digest, b.digest)
    }
}

/// The ordered multimap behind a secondary index: a set of (bval, digest) pairs, unique as
/// pairs, in `IndexKey` order. The same digest may sit under many bvals (a list bin indexes
/// each element) and the same bval under many digests.
///
/// Layout: a two-level B+tree. Entries live in sorted leaf chunks of at most `chunkCapacity`
/// entries; `firsts[i]` is the smallest entry of `chunks[i]`, so finding a position is a
/// binary search over `firsts` and then one inside a chunk. A full chunk splits in two; a chunk
/// that empties is dropped and a small one merges into a neighbour.
///
/// Each chunk packs its entries at 28 bytes apiece (bval, and the digest as three big-endian
/// words so comparisons are plain integer compares; column-wise, in a single allocation) rather
/// than `IndexKey`'s 32-byte stride. Chunks grow by an eighth at a time (not doubling) and shrink when
/// a quarter empty, so memory stays close to 28 bytes an entry. Chunks are shared copy-on-write
/// between copies of the index, like an array's storage.
///
/// `@unchecked Sendable`: the chunks are `ManagedBuffer`s, which the standard library marks
/// non-Sendable, but a chunk is only ever written while uniquely referenced (copy-on-write, as
/// `Array` does), so a value shared with another thread is never written through.
public struct OrderedIndex: @unchecked Sendable {
    /// The comparison form of an `IndexKey`: digest words byte-swapped so that integer order is
    /// the digest's byte order.
    struct Key: Sendable {
        var b: Int64
        var k0: UInt64
        var k1: UInt64
        var k2: UInt32

        @inline(__always) init(b: Int64, k0: UInt64, k1: UInt64, k2: UInt32) {
            self.b = b; self.k0 = k0; self.k1 = k1; self.k2 = k2
        }
        @inline(__always) init(_ k: IndexKey) {
            b = k.bval
            k0 = UInt64(bigEndian: k.digest.w0)
            k1 = UInt64(bigEndian: k.digest.w1)
            k2 = UInt32(bigEndian: k.digest.w2)
        }
        @inline(__always) var indexKey: IndexKey {
            IndexKey(bval: b, digest: Digest(w0: k0.bigEndian, w1: k1.bigEndian, w2: k2.bigEndian))
        }
        @inline(__always) static func less(_ x: Key, _ y: Key) -> Bool {
            if x.b != y.b { return x.b < y.b }
            if x.k0 != y.k0 { return x.k0 < y.k0 }
            if x.k1 != y.k1 { return x.k1 < y.k1 }
            return x.k2 < y.k2
        }
        @inline(__always) static func equal(_ x: Key, _ y: Key) -> Bool {
            x.b == y.b && x.k0 == y.k0 && x.k1 == y.k1 && x.k2 == y.k2
        }
    }

    /// A sorted run of entries in one allocation: the header, then four columns of `cap`
    /// slots each (bvals, then the digest's three words in `Key` form), 28 bytes an entry.
    /// Keeping the bvals in a column of their own makes the binary search touch few cache lines.
    /// Copy-on-write is the owner's job: a chunk is mutated only while
    /// `isKnownUniquelyReferenced`, so copies of an `OrderedIndex` (and threads) can share one.
    final class Chunk: ManagedBuffer<ChunkHeader, UInt8> {
        static let entryBytes = 28

        /// An empty chunk with room for `cap` entries.
        static func make(cap: Int) -> Chunk {
            let c = create(minimumCapacity: cap * entryBytes) { _ in ChunkHeader(count: 0, cap: cap) }
            return unsafeDowncast(c, to: Chunk.self)
        }

        // Pointer access: no dynamic exclusivity checks on the hot paths.
        @inline(__always) private var hp: UnsafeMutablePointer<ChunkHeader> { withUnsafeMutablePointerToHeader { $0 } }
        @inline(__always) var base: UnsafeMutableRawPointer {
            withUnsafeMutablePointerToElements { UnsafeMutableRawPointer($0) }
        }
        @inline(__always) var count: Int {
            get { hp.pointee.count }
            set { hp.pointee.count = newValue }
        }
        @inline(__always) var cap: Int { hp.pointee.cap }

        /// Byte offset of each column, and the width of its elements.
        @inline(__always) private func column(_ c: Int) -> (offset: Int, width: Int) {
            switch c {
            case 0: return (0, 8)
            case 1: return (cap &* 8, 8)
            case 2: return (cap &* 16, 8)
            default: return (cap &* 24, 4)
            }
        }

        @inline(__always) func bval(_ i: Int) -> Int64 { base.load(fromByteOffset: i &* 8, as: Int64.self) }
        @inline(__always) func key(_ i: Int) -> Key {
            let p = base, c = cap
            return Key(b: p.load(fromByteOffset: i &* 8, as: Int64.self),
                       k0: p.load(fromByteOffset: (c &+ i) &* 8, as: UInt64.self),
                       k1: p.load(fromByteOffset: (2 &* c &+ i) &* 8, as: UInt64.self),
                       k2: p.load(fromByteOffset: 3 &* c &* 8 &+ i &* 4, as: UInt32.self))
        }
        @inline(__always) func store(_ k: Key, at i: Int) {
            let p = base, c = cap
            p.storeBytes(of: k.b, toByteOffset: i &* 8, as: Int64.self)
            p.storeBytes(of: k.k0, toByteOffset: (c &+ i) &* 8, as: UInt64.self)
            p.storeBytes(of: k.k1, toByteOffset: (2 &* c &+ i) &* 8, as: UInt64.self)
            p.storeBytes(of: k.k2, toByteOffset: 3 &* c &* 8 &+ i &* 4, as: UInt32.self)
        }
        @inline(__always) func entryEqual(_ i: Int, _ k: Key) -> Bool { Key.equal(key(i), k) }

        /// First index whose entry is >= k. Compares bvals alone until they tie.
        func lowerBound(_ k: Key) -> Int {
            let p = base
            var lo = 0, hi = count
            while lo < hi {
                let m = (lo &+ hi) >> 1
                let b = p.load(fromByteOffset: m &* 8, as: Int64.self)
                if b < k.b || (b == k.b && Key.less(key(m), k)) { lo = m &+ 1 } else { hi = m }
            }
            return lo
        }
        /// First index whose entry is > k.
        func upperBound(_ k: Key) -> Int {
            let p = base
            var lo = 0, hi = count
            while lo < hi {
                let m = (lo &+ hi) >> 1
                let b = p.load(fromByteOffset: m &* 8, as: Int64.self)
                if k.b < b || (b == k.b && Key.less(k, key(m))) { hi = m } else { lo = m &+ 1 }
            }
            return lo
        }

        /// A new chunk with room for `cap` (>= to - from) entries, holding entries [from, to) of this one.
        func copy(_ from: Int, _ to: Int, cap: Int) -> Chunk {
            let c = Chunk.make(cap: cap)
            let src = base, dst = c.base
            for col in 0..<4 {
                let s = column(col), d = c.column(col)
                (dst + d.offset).copyMemory(from: src + s.offset + from * s.width, byteCount: (to - from) * s.width)
            }
            c.count = to - from
            return c
        }
        func copy(cap: Int) -> Chunk { copy(0, count, cap: cap) }

        /// Inserts at `i`; the caller has made sure `count < cap`.
        func insert(_ k: Key, at i: Int) {
            let n = count
            if i < n {
                let p = base
                for col in 0..<4 {
                    let c = column(col), at = p + c.offset + i * c.width
                    (at + c.width).copyMemory(from: at, byteCount: (n - i) * c.width)
                }
            }
            store(k, at: i)
            count = n + 1
        }
        func remove(at i: Int) {
            let n = count - 1
            if i < n {
                let p = base
                for col in 0..<4 {
                    let c = column(col), at = p + c.offset + i * c.width
                    at.copyMemory(from: at + c.width, byteCount: (n - i) * c.width)
                }
            }
            count = n
        }
        /// Appends all of `other`, whose entries are all greater than ours; needs the room.
        func append(_ other: Chunk) {
            let n = count, m = other.count
            let src = other.base, dst = base
            for col in 0..<4 {
                let s = other.column(col), d = column(col)
                (dst + d.offset + n * d.width).copyMemory(from: src + s.offset, byteCount: m * s.width)
            }
            count = n + m
        }

        /// Object header (16), our header (16), the entries' bytes as malloc granted them, and
        /// malloc's own word or two.
        var memoryBytes: Int { 32 + capacity + 16 }
    }

    struct ChunkHeader {
        var count: Int
        var cap: Int
    }

    /// Largest number of entries in a chunk.
    let chunkCapacity: Int
    /// Never empty chunks, in order.
    var chunks: [Chunk] = []
    /// `firsts[i]` is the smallest entry of `chunks[i]`, and `firstB[i]` its bval (searched
    /// first: 8 bytes a chunk stay in cache).
    var firsts: [Key] = []
    var firstB: [Int64] = []
    public private(set) var count = 0

    /// 192 entries (5 KiB) a chunk: on random inserts this measured a little faster than 128 or
    /// 256 (the in-chunk search and shift against the top-level arrays' upkeep).
    public init() { self.init(chunkCapacity: 192) }

    /// A small `chunkCapacity` lets tests exercise splits and merges with few entries.
    init(chunkCapacity: Int) {
        precondition(chunkCapacity >= 4)
        self.chunkCapacity = chunkCapacity
    }

    /// A chunk smaller than this tries to merge into a neighbour...
    private var mergeBelow: Int { chunkCapacity / 4 }
    /// ...if the two together hold at most this many (so the result is not about to split).
    private var mergeLimit: Int { chunkCapacity * 3 / 4 }

    /// Room to leave for `n` entries: an eighth more, so growth costs little copying and little memory.
    @inline(__always) private func roomFor(_ n: Int) -> Int { Swift.min(chunkCapacity, n + Swift.max(4, n >> 3)) }

    /// The chunk that holds `k` if anything does: the last whose first entry is <= k, or 0.
    @inline(__always) private func chunkIndex(_ k: Key) -> Int {
        // First chunk starting at a bval >= k.b...
        var lo = 0, hi = firstB.count
        while lo < hi {
            let m = (lo &+ hi) >> 1
            if firstB[m] < k.b { lo = m &+ 1 } else { hi = m }
        }
        // ...and when some start at k.b exactly, the last of those starting at or below k.
        if lo < firstB.count && firstB[lo] == k.b {
            var l = lo, h = firstB.count
            while l < h {
                let m = (l &+ h) >> 1
                if firstB[m] == k.b && !Key.less(k, firsts[m]) { l = m &+ 1 } else { h = m }
            }
            lo = l
        }
        return lo > 0 ? lo - 1 : 0
    }

    @inline(__always) private mutating func setFirst(_ ci: Int, _ k: Key) { firsts[ci] = k; firstB[ci] = k.b }
    @inline(__always) private mutating func insertChunk(_ c: Chunk, at ci: Int) {
        let k = c.key(0)
        chunks.insert(c, at: ci); firsts.insert(k, at: ci); firstB.insert(k.b, at: ci)
    }
    @discardableResult private mutating func removeChunk(at ci: Int) -> Chunk {
        firsts.remove(at: ci); firstB.remove(at: ci)
        let c = chunks.remove(at: ci)
        if chunks.capacity > 64 && chunks.count < chunks.capacity / 4 {
            // Mostly emptied: let the top level shrink too.
            func snug<T>(_ a: [T]) -> [T] { var n = [T](); n.reserveCapacity(a.count * 2); n.append(contentsOf: a); return n }
            chunks = snug(chunks); firsts = snug(firsts); firstB = snug(firstB)
        }
        return c
    }

    /// Where `k` is or would go: its chunk, its position there, and whether it is present.
    /// (A function of its own so no reference to the chunk outlives it: `prepare` must see the
    /// chunk uniquely referenced.)
    @inline(__always) private func locate(_ k: Key) -> (ci: Int, pos: Int, found: Bool) {
        let ci = chunkIndex(k)
        let c = chunks[ci]
        let pos = c.lowerBound(k)
        return (ci, pos, pos < c.count && c.entryEqual(pos, k))
    }

    /// Makes `chunks[ci]` safe to mutate in place, with room for one more entry if `grow`.
    @inline(__always) private mutating func prepare(_ ci: Int, grow: Bool) {
        let n = chunks[ci].count
        let full = grow && n >= chunks[ci].cap
        if full || !isKnownUniquelyReferenced(&chunks[ci]) {
            chunks[ci] = chunks[ci].copy(cap: full ? roomFor(n + 1) : chunks[ci].cap)
        }
    }

    public func contains(_ k: IndexKey) -> Bool {
        if chunks.isEmpty { return false }
        return locate(Key(k)).found
    }

    /// Inserts; false if the pair was already there.
    @discardableResult public mutating func insert(_ k: IndexKey) -> Bool {
        let key = Key(k)
        if chunks.isEmpty {
            let c = Chunk.make(cap: roomFor(1))
            c.insert(key, at: 0)
            insertChunk(c, at: 0)
            count = 1
            return true
        }
        let loc = locate(key)
        if loc.found { return false }
        var ci = loc.ci, pos = loc.pos
        let n = chunks[ci].count
        if n >= chunkCapacity {
            // Split: both halves get fresh, snug allocations.
            let mid = n / 2
            let room = roomFor(n - mid + 1)
            let right = chunks[ci].copy(mid, n, cap: room)
            chunks[ci] = chunks[ci].copy(0, mid, cap: room)
            insertChunk(right, at: ci + 1)
            if pos > mid { ci += 1; pos -= mid }
        } else {
            prepare(ci, grow: true)
        }
        chunks[ci].insert(key, at: pos)
        if pos == 0 { setFirst(ci, key) }
        count += 1
        return true
    }

    /// Removes; false if absent.
    @discardableResult public mutating func remove(_ k: IndexKey) -> Bool {
        if chunks.isEmpty { return false }
        let (ci, pos, found) = locate(Key(k))
        if !found { return false }
        count -= 1
        let n = chunks[ci].count - 1
        if n == 0 {
            removeChunk(at: ci)
            return true
        }
        if chunks[ci].cap > 32 && n < chunks[ci].cap - chunks[ci].cap / 4 {
            // A quarter empty: give the memory back while removing.
            let s = chunks[ci].copy(cap: roomFor(n))
            s.remove(at: pos)
            chunks[ci] = s
        } else {
            prepare(ci, grow: false)
            chunks[ci].remove(at: pos)
        }
        if pos == 0 { setFirst(ci, chunks[ci].key(0)) }
        if n < mergeBelow {
            if ci > 0 && chunks[ci - 1].count + n <= mergeLimit {
                merge(ci - 1)
            } else if ci + 1 < chunks.count && chunks[ci + 1].count + n <= mergeLimit {
                merge(ci)
            }
        }
        return true
    }

    /// Folds `chunks[ci + 1]` into `chunks[ci]`.
    private mutating func merge(_ ci: Int) {
        let right = removeChunk(at: ci + 1)
        let total = chunks[ci].count + right.count
        if total > chunks[ci].cap || !isKnownUniquelyReferenced(&chunks[ci]) {
            chunks[ci] = chunks[ci].copy(cap: roomFor(total))
        }
        chunks[ci].append(right)
    }

    /// Visits entries with lo <= bval <= hi in order, starting strictly after `after` when given,
    /// until `visit` returns false. Costs O(log N + M) for M visited.
    public func forEach(bvalFrom lo: Int64, to hi: Int64, after: IndexKey?, _ visit: (IndexKey) -> Bool) {
        guard lo <= hi, !chunks.isEmpty else { return }
        let start = Key(b: lo, k0: 0, k1: 0, k2: 0)   // the smallest key with bval `lo`
        var ci: Int, pos: Int
        if let a = after.map(Key.init), !Key.less(a, start) {
            ci = chunkIndex(a)
            pos = chunks[ci].upperBound(a)
        } else {
            ci = chunkIndex(start)
            pos = chunks[ci].lowerBound(start)
        }
        while ci < chunks.count {
            let c = chunks[ci]
            let n = c.count
            while pos < n {
                let k = c.key(pos)
                if k.b > hi { return }
                if !visit(k.indexKey) { return }
                pos += 1
            }
            ci += 1
            pos = 0
        }
    }

    /// Bytes used (approximate), for statistics.
    public var memoryBytes: Int {
        var total = firsts.capacity * MemoryLayout<Key>.stride + firstB.capacity * 8
            + chunks.capacity * MemoryLayout<Chunk>.stride
        for c in chunks { total += c.memoryBytes }
        return total
    }

    public mutating func removeAll() {
        chunks = []
        firsts = []
        firstB = []
        count = 0
    }

    /// Structural checks for tests: nil when sound, else what is wrong.
    func invariantViolation() -> String? {
        if chunks.count != firsts.count || chunks.count != firstB.count { return "chunks \(chunks.count) vs firsts \(firsts.count), \(firstB.count)" }
        var total = 0
        var prev: Key? = nil
        for (i, c) in chunks.enumerated() {
            if c.count == 0 { return "chunk \(i) empty" }
            if c.count > chunkCapacity { return "chunk \(i) holds \(c.count) > \(chunkCapacity)" }
            if c.count > c.cap || c.cap * Chunk.entryBytes > c.capacity { return "chunk \(i) overfull" }
            if !Key.equal(firsts[i], c.key(0)) || firstB[i] != c.key(0).b { return "firsts[\(i)] stale" }
            for j in 0..<c.count {
                let k = c.key(j)
                if let p = prev, !Key.less(p, k) { return "order broken in chunk \(i) at \(j)" }
                prev = k
            }
            total += c.count
        }
        if total != count { return "count \(count) but \(total) entries" }
        return nil
    }
}
