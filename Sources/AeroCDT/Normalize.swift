/// Stored and client forms of whole list/map bin values.
public enum Normalize {
    /// What the server stores for a list or map a client writes as a bin: validated
    /// (malformed or too deep → 4), maps in key order at every level (the real server keeps
    /// unordered maps key-sorted), ordered lists sorted, integers in shortest form.
    public static func stored(_ b: UnsafeRawBufferPointer) throws(CDTError) -> [UInt8] {
        try MPReader.validate(b)
        var r = MPReader(b)
        var w = MPWriter(capacity: b.count)
        try copy(&r, &w, depth: 0)
        return w.bytes
    }

    static func copy(_ r: inout MPReader, _ w: inout MPWriter, depth: Int) throws(CDTError) {
        let start = r.at
        let h = try r.header()
        switch h.kind {
        case .wildcard, .infinity:
            throw .parameter  // match-only values are never stored
        case .int, .negInt:
            _ = try r.next()
            if h.bigUnsigned { w.appendUInt(UInt64(bitPattern: h.int)) } else { w.appendInt(h.int) }
        case .list:
            let el = try r.element()
            var list = try CDTList.parse(el)
            list.items = try list.items.map { (i: [UInt8]) throws(CDTError) -> [UInt8] in try normalized(i, depth + 1) }
            if list.isOrdered { list.sortByValue() }
            w.appendRaw(list.encode())
        case .map:
            let el = try r.element()
            var map = try CDTMap.parse(el)
            for i in map.entries.indices {
                map.entries[i].key = try normalized(map.entries[i].key, depth + 1)
                map.entries[i].value = try normalized(map.entries[i].value, depth + 1)
            }
            map.normalizeKeyOrder()
            w.appendRaw(map.encode())
        default:
            try r.skip()
            w.appendRaw(UnsafeRawBufferPointer(rebasing: r.buf[start..<r.at]))
        }
    }

    static func normalized(_ v: [UInt8], _ depth: Int) throws(CDTError) -> [UInt8] {
        try v.withBytes { (b: UnsafeRawBufferPointer) throws(CDTError) -> [UInt8] in
            var r = MPReader(b)
            var w = MPWriter(capacity: b.count)
            try copy(&r, &w, depth: depth)
            return w.bytes
        }
    }

    /// Where a stored list/map value differs from what clients may see: a marker carrying
    /// PERSIST_INDEX (and, for indexed values, the offset index in its payload). The client
    /// form is `b[0..<headerEnd] + [c7 00 flags] + b[markerEnd...]`; nil = send as stored.
    public static func clientMarker(_ b: UnsafeRawBufferPointer) -> (headerEnd: Int, markerEnd: Int, flags: UInt8)? {
        guard let h = try? MPReader(b).header(), h.kind == .list || h.kind == .map, h.children > 0 else { return nil }
        var r = MPReader(b, at: h.headerSize)
        guard let m = try? r.header(), m.kind == .ext else { return nil }
        let flags = m.extType
        guard flags & CollectionFlags.persistIndex != 0 || m.payloadSize > 0 else { return nil }
        return (h.headerSize, h.headerSize + m.headerSize + m.payloadSize, flags & ~CollectionFlags.persistIndex)
    }
}
