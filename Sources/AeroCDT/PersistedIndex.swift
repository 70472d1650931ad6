/// Persisted-index collections (PERSIST_INDEX, 0x10, on a top-level map or ordered list).
///
/// Stored layout: the container header for n+1 elements, then the marker as an ext32
/// `c9 <u32 len> <flags>` whose payload is the offset index: n little-endian u32 offsets, each
/// the start of element i (for maps: its key) counted from the start of the value; a
/// key/value-ordered map adds its value-order index: n u32 entry numbers in rank order
/// (value order, ties in key order). A map's marker is followed by its nil value. Clients
/// never see the index (`Normalize.clientMarker`).
///
/// With the index, key lookups and ordered-list searches are binary searches (O(log N)
/// comparisons) and index ranges read only the M elements asked for.
public struct PersistedIndex {
    public let buf: UnsafeRawBufferPointer
    public let flags: UInt8
    public let isMap: Bool
    public let count: Int
    let indexAt: Int
    /// Whether the value-order (rank) index follows the offsets.
    public let hasRankIndex: Bool

    /// Recognises an indexed value; nil for everything else (then the general path runs).
    public init?(_ b: UnsafeRawBufferPointer) {
        guard let h = try? MPReader(b).header(), h.kind == .list || h.kind == .map, h.count >= 1 else { return nil }
        let m = h.headerSize
        guard b.count >= m + 6, b[m] == 0xc9 else { return nil }
        let len = Int(b.u32BE(m + 1))
        let flags = b[m + 5]
        let n = h.count - 1
        guard flags & CollectionFlags.persistIndex != 0, len == 4 * n || len == 8 * n, b.count >= m + 6 + len else { return nil }
        self.buf = b; self.flags = flags; self.isMap = h.kind == .map; self.count = n; self.indexAt = m + 6
        self.hasRankIndex = len == 8 * n && n > 0
    }

    /// The entry at rank r (value order, ties in key order): O(1).
    @inline(__always) public func entryAtRank(_ r: Int) -> Int {
        Int(UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: indexAt + 4 * count + 4 * r, as: UInt32.self)))
    }

    /// Start of element i (0...count; `count` = the end of the value).
    @inline(__always) public func offset(_ i: Int) -> Int {
        i == count ? buf.count : Int(UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: indexAt + 4 * i, as: UInt32.self)))
    }
    /// Bytes of element i (a list item, or a map key followed by its value).
    public func element(_ i: Int) -> UnsafeRawBufferPointer { buf.slice(offset(i), offset(i + 1) - offset(i)) }

    /// A map entry's key and value.
    public func entry(_ i: Int) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        var r = MPReader(element(i))
        guard (try? r.skip()) != nil else { return nil }
        let e = element(i)
        return (e.slice(0, r.at), e.slice(r.at, e.count - r.at))
    }

    /// Binary search for the first element whose key (maps) or value (lists) is >= `probe`.
    public func lowerBound(_ probe: UnsafeRawBufferPointer) -> (index: Int, found: Bool) {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            let item = isMap ? (entry(mid)?.key ?? element(mid)) : element(mid)
            if ValueOrder.compare(item, probe) < 0 { lo = mid + 1 } else { hi = mid }
        }
        let found = lo < count && ValueOrder.compare(isMap ? (entry(lo)?.key ?? element(lo)) : element(lo), probe) == 0
        return (lo, found)
    }

    /// Writes an indexed value: `body` appends each element through `IndexWriter`;
    /// `rankOrder` (key/value-ordered maps) lists entry numbers in value order.
    static func encode(flags: UInt8, count n: Int, isMap: Bool, rankOrder: [Int]? = nil,
                       _ body: (inout IndexWriter) -> Void) -> [UInt8] {
        var head = MPWriter()
        if isMap { head.appendMapHeader(n + 1) } else { head.appendArrayHeader(n + 1) }
        let indexWords = n * (rankOrder == nil ? 1 : 2)
        let start = head.bytes.count + 6 + 4 * indexWords + (isMap ? 1 : 0)
        var iw = IndexWriter(next: start)
        iw.offsets.reserveCapacity(n)
        body(&iw)
        var out = head.bytes
        out.reserveCapacity(start + iw.data.count)
        let len = UInt32(4 * indexWords)
        out += [0xc9, UInt8(len >> 24), UInt8((len >> 16) & 0xff), UInt8((len >> 8) & 0xff), UInt8(len & 0xff), flags]
        for o in iw.offsets + (rankOrder ?? []).map(UInt32.init) {
            out += [UInt8(o & 0xff), UInt8((o >> 8) & 0xff), UInt8((o >> 16) & 0xff), UInt8(o >> 24)]
        }
        if isMap { out.append(0xc0) }
        out += iw.data
        return out
    }

    /// Splices `item` in at position `i` of an indexed list, shifting later offsets:
    /// O(N) byte moves, no per-element parsing or allocation.
    public func inserting(_ item: UnsafeRawBufferPointer, at i: Int) -> [UInt8] {
        var head = MPWriter()
        head.appendArrayHeader(count + 2)
        let oldDataStart = indexAt + 4 * count
        let newDataStart = head.bytes.count + 6 + 4 * (count + 1)
        let delta = newDataStart - oldDataStart
        var out = head.bytes
        out.reserveCapacity(buf.count + item.count + 16)
        let len = UInt32(4 * (count + 1))
        out += [0xc9, UInt8(len >> 24), UInt8((len >> 16) & 0xff), UInt8((len >> 8) & 0xff), UInt8(len & 0xff), flags]
        func put(_ o: Int) {
            let v = UInt32(o)
            out += [UInt8(v & 0xff), UInt8((v >> 8) & 0xff), UInt8((v >> 16) & 0xff), UInt8(v >> 24)]
        }
        for k in 0..<i { put(offset(k) + delta) }
        put(offset(i) + delta)
        for k in i..<count { put(offset(k) + delta + item.count) }
        let cut = offset(i)
        out += buf[oldDataStart..<cut]
        out += item
        out += buf[cut..<buf.count]
        return out
    }
}

/// Collects element bytes and their offsets while encoding an indexed value.
struct IndexWriter {
    var next: Int
    var offsets: [UInt32] = []
    var data: [UInt8] = []
    /// Records the start of an element of `size` bytes (its bytes follow via appendRaw).
    mutating func append(_ size: Int) { offsets.append(UInt32(next)); next += size }
    mutating func appendRaw(_ b: [UInt8]) { data += b }
}

extension UnsafeRawBufferPointer {
    @inline(__always) func u32BE(_ at: Int) -> UInt32 {
        UInt32(self[at]) << 24 | UInt32(self[at + 1]) << 16 | UInt32(self[at + 2]) << 8 | UInt32(self[at + 3])
    }
    @inline(__always) func slice(_ start: Int, _ n: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[start..<(start + n)])
    }
}
