/// Lists and maps in working form: each element its own msgpack encoding.
/// Ops parse the stored bytes into these, change them, and encode them back.

public enum CollectionFlags {
    public static let ordered: UInt8 = 0x01        // list ORDERED / map K_ORDERED
    public static let kvOrdered: UInt8 = 0x03      // map KEY_VALUE_ORDERED
    public static let preserveOrder: UInt8 = 0x08  // result maps only
    public static let persistIndex: UInt8 = 0x10
}

public struct CDTList: Equatable, Sendable {
    /// 0 unordered, 1 ordered; may carry PERSIST_INDEX (0x10).
    public var flags: UInt8
    public var items: [[UInt8]]

    public init(flags: UInt8 = 0, items: [[UInt8]] = []) { self.flags = flags; self.items = items }

    public var isOrdered: Bool { flags & CollectionFlags.ordered != 0 }
    public var count: Int { items.count }

    /// Parses a msgpack array (with an optional ordered marker). Throws 12 when it is not a list.
    public static func parse(_ b: UnsafeRawBufferPointer) throws(CDTError) -> CDTList {
        var r = MPReader(b)
        let h = try r.next()
        guard h.kind == .list else { throw .incompatibleType }
        var n = h.children
        var list = CDTList()
        if n > 0, let m = try? r.header(), m.kind == .ext {
            list.flags = m.extType
            _ = try r.next()
            n -= 1
        }
        list.items.reserveCapacity(n)
        for _ in 0..<n { list.items.append(Array(try r.element())) }
        return list
    }
    public static func parse(_ b: [UInt8]) throws(CDTError) -> CDTList {
        try b.withBytes { (raw: UnsafeRawBufferPointer) throws(CDTError) -> CDTList in try parse(raw) }
    }

    /// Stored form keeps every flag; what clients see drops PERSIST_INDEX (and an unordered
    /// list has no marker at all).
    public func encode(forClient: Bool = false) -> [UInt8] {
        let f = forClient ? flags & ~CollectionFlags.persistIndex : flags
        if f & CollectionFlags.persistIndex != 0 {
            return PersistedIndex.encode(flags: f, count: items.count, isMap: false) { w in
                for i in items { w.append(i.count); w.appendRaw(i) }
            }
        }
        var w = MPWriter(capacity: 8 + items.reduce(0) { $0 + $1.count })
        if f != 0 {
            w.appendArrayHeader(items.count + 1)
            w.appendExtMarker(f)
        } else {
            w.appendArrayHeader(items.count)
        }
        for i in items { w.appendRaw(i) }
        return w.bytes
    }

    /// Sorts items into value order (stable).
    public mutating func sortByValue() {
        items = stableSorted(items) { ValueOrder.compare($0, $1) < 0 }
    }
}

public struct CDTMap: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public var key: [UInt8]
        public var value: [UInt8]
        public init(key: [UInt8], value: [UInt8]) { self.key = key; self.value = value }
    }
    /// 0 unordered, 1 key-ordered, 3 key/value-ordered; may carry PERSIST_INDEX (0x10).
    public var flags: UInt8
    /// Always in key order: the real server keeps unordered maps key-sorted too (cdt.md 4.1).
    public var entries: [Entry]

    public init(flags: UInt8 = 0, entries: [Entry] = []) { self.flags = flags; self.entries = entries }

    public var count: Int { entries.count }

    /// Parses a msgpack map (with an optional ordered marker) and brings it into key order;
    /// a repeated key keeps its last value. Throws 12 when it is not a map.
    public static func parse(_ b: UnsafeRawBufferPointer) throws(CDTError) -> CDTMap {
        var r = MPReader(b)
        let h = try r.next()
        guard h.kind == .map else { throw .incompatibleType }
        var n = h.count
        var map = CDTMap()
        if n > 0, let m = try? r.header(), m.kind == .ext {
            map.flags = m.extType
            _ = try r.next()
            try r.skip()  // the marker's value (nil)
            n -= 1
        }
        map.entries.reserveCapacity(n)
        var sorted = true
        for _ in 0..<n {
            let k = Array(try r.element())
            let v = Array(try r.element())
            if let last = map.entries.last, ValueOrder.compare(last.key, k) >= 0 { sorted = false }
            map.entries.append(Entry(key: k, value: v))
        }
        if !sorted { map.normalizeKeyOrder() }
        return map
    }
    public static func parse(_ b: [UInt8]) throws(CDTError) -> CDTMap {
        try b.withBytes { (raw: UnsafeRawBufferPointer) throws(CDTError) -> CDTMap in try parse(raw) }
    }

    /// Key order, last value winning for repeated keys.
    mutating func normalizeKeyOrder() {
        let s = stableSorted(entries) { ValueOrder.compare($0.key, $1.key) < 0 }
        var out: [Entry] = []
        out.reserveCapacity(s.count)
        for e in s {
            if let last = out.last, ValueOrder.compare(last.key, e.key) == 0 { out[out.count - 1] = e } else { out.append(e) }
        }
        entries = out
    }

    /// Index of `key`, or where it would be inserted (binary search over key order).
    public func find(key: [UInt8]) -> (index: Int, found: Bool) {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let c = ValueOrder.compare(entries[mid].key, key)
            if c == 0 { return (mid, true) }
            if c < 0 { lo = mid + 1 } else { hi = mid }
        }
        return (lo, false)
    }

    public func encode(forClient: Bool = false) -> [UInt8] {
        let f = forClient ? flags & ~CollectionFlags.persistIndex : flags
        if f & CollectionFlags.persistIndex != 0 {
            // Key/value-ordered maps also keep their value order (ties in key order).
            let rankOrder = f & CollectionFlags.kvOrdered == CollectionFlags.kvOrdered
                ? stableSorted(Array(entries.indices)) { ValueOrder.compare(entries[$0].value, entries[$1].value) < 0 }
                : nil
            return PersistedIndex.encode(flags: f, count: entries.count, isMap: true, rankOrder: rankOrder) { w in
                for e in entries { w.append(e.key.count + e.value.count); w.appendRaw(e.key); w.appendRaw(e.value) }
            }
        }
        var w = MPWriter(capacity: 8 + entries.reduce(0) { $0 + $1.key.count + $1.value.count })
        if f != 0 {
            w.appendMapHeader(entries.count + 1)
            w.appendExtMarker(f)
            w.appendNil()
        } else {
            w.appendMapHeader(entries.count)
        }
        for e in entries { w.appendRaw(e.key); w.appendRaw(e.value) }
        return w.bytes
    }
}

/// Merge sort: stable, O(n log n), no reliance on the standard library's sort stability.
public func stableSorted<T>(_ a: [T], by less: (T, T) -> Bool) -> [T] {
    if a.count < 2 { return a }
    var src = a, dst = a
    var width = 1
    let n = a.count
    while width < n {
        var i = 0
        while i < n {
            let mid = min(i + width, n), end = min(i + 2 * width, n)
            var l = i, r = mid, k = i
            while l < mid && r < end {
                if less(src[r], src[l]) { dst[k] = src[r]; r += 1 } else { dst[k] = src[l]; l += 1 }
                k += 1
            }
            while l < mid { dst[k] = src[l]; l += 1; k += 1 }
            while r < end { dst[k] = src[r]; r += 1; k += 1 }
            i += 2 * width
        }
        swap(&src, &dst)
        width *= 2
    }
    return src
}
