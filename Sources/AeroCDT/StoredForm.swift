/// The form in which the server stores a value a client sent (cdt.md 1, 4.1): integers and
/// str/bin headers in their shortest form (a `bin` header becomes a `str` header), nested
/// persist-index bits dropped, unordered maps sorted by key, and refused (4) when the value
/// holds a wildcard/infinity, a map key that is not int/string/blob, a repeated map key, or
/// an ordered list / key-ordered map whose elements are out of order.
enum StoredForm {
    static let maxDepth = 256

    /// A valid map key: an integer, a string, or a blob whose particle type is 4 (no other
    /// blob type, no empty blob, no GeoJSON).
    static func isMapKey(_ b: [UInt8]) -> Bool {
        guard let h = try? b.withReader({ r throws(CDTError) in try r.header() }) else { return false }
        switch h.kind {
        case .int, .negInt, .string: return true
        case .bytes: return h.payloadSize > 0 && b[h.headerSize] == 4
        default: return false
        }
    }

    /// The stored form of `v` (one element, already well formed).
    static func rewrite(_ v: [UInt8]) throws(CDTError) -> [UInt8] {
        try v.withReader { r throws(CDTError) -> [UInt8] in
            var w = MPWriter(capacity: v.count)
            try element(&r, &w, depth: 0)
            return w.bytes
        }
    }

    private static func element(_ r: inout MPReader, _ w: inout MPWriter, depth: Int) throws(CDTError) {
        if depth > maxDepth { throw .parameter }
        let h = try r.header()
        switch h.kind {
        case .wildcard, .infinity:
            throw .parameter
        case .int, .negInt:
            _ = try r.next()
            if h.bigUnsigned { w.appendUInt(UInt64(bitPattern: h.int)) } else { w.appendInt(h.int) }
        case .string, .bytes, .geojson:
            let start = r.at + h.headerSize
            _ = try r.next()
            w.strHeader(h.payloadSize)
            w.appendRaw(UnsafeRawBufferPointer(rebasing: r.buf[start..<(start + h.payloadSize)]))
        case .nil_, .false_, .true_, .double, .ext:
            let start = r.at
            _ = try r.next()
            w.appendRaw(UnsafeRawBufferPointer(rebasing: r.buf[start..<r.at]))
        case .list:
            _ = try r.next()
            var n = h.children
            var flags: UInt8 = 0
            if n > 0, try r.header().kind == .ext {
                flags = try r.next().extType & CollectionFlags.ordered
                n -= 1
            }
            var items: [[UInt8]] = []
            items.reserveCapacity(n)
            for _ in 0..<n {
                var iw = MPWriter()
                try element(&r, &iw, depth: depth + 1)
                if flags != 0, let last = items.last, ValueOrder.compare(last, iw.bytes) > 0 { throw .parameter }
                items.append(iw.bytes)
            }
            w.appendArrayHeader(n + (flags != 0 ? 1 : 0))
            if flags != 0 { w.appendExtMarker(flags) }
            for i in items { w.appendRaw(i) }
        case .map:
            _ = try r.next()
            var n = h.count
            var flags: UInt8 = 0
            if n > 0, try r.header().kind == .ext {
                flags = try r.next().extType & CollectionFlags.kvOrdered
                try r.skip()
                n -= 1
            }
            var entries: [CDTMap.Entry] = []
            entries.reserveCapacity(n)
            var sorted = true
            for _ in 0..<n {
                var kw = MPWriter(), vw = MPWriter()
                try element(&r, &kw, depth: depth + 1)
                guard isMapKey(kw.bytes) else { throw .parameter }
                try element(&r, &vw, depth: depth + 1)
                if let last = entries.last {
                    let c = ValueOrder.compare(last.key, kw.bytes)
                    if c == 0 || (c > 0 && flags & CollectionFlags.ordered != 0) { throw .parameter }
                    if c > 0 { sorted = false }
                }
                entries.append(CDTMap.Entry(key: kw.bytes, value: vw.bytes))
            }
            if !sorted {
                entries = stableSorted(entries) { ValueOrder.compare($0.key, $1.key) < 0 }
                for i in 1..<entries.count where ValueOrder.compare(entries[i - 1].key, entries[i].key) == 0 {
                    throw .parameter
                }
            }
            w.appendMapHeader(n + (flags != 0 ? 1 : 0))
            if flags != 0 { w.appendExtMarker(flags); w.appendNil() }
            for e in entries { w.appendRaw(e.key); w.appendRaw(e.value) }
        }
    }
}
