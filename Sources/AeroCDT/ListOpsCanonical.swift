/// The server rewrites values it stores through list ops into compact msgpack (its
/// `cdt_untrusted_rewrite`): shortest integer forms, shortest str / array / map headers, bin
/// headers turned into str headers (the payload keeps its particle-type byte); a nested
/// list/map marker loses PERSIST_INDEX (only a bin's top level may keep it), and a marker left
/// with no flags is dropped. Input: a well-formed value (already validated by the caller).
/// Not done here: re-sorting nested ordered containers / unordered maps, map key checks.

enum ListCanonical {
    static func compact(_ v: [UInt8]) -> [UInt8] {
        (try? v.withBytes { (raw: UnsafeRawBufferPointer) throws(CDTError) -> [UInt8] in
            var r = MPReader(raw)
            var w = MPWriter(capacity: raw.count)
            var pending = 1
            while pending > 0 {
                try copyOne(&r, &w, &pending)
            }
            return w.bytes
        }) ?? v
    }

    /// Copies one element header (and a scalar's payload); adds a container's children to `pending`.
    private static func copyOne(_ r: inout MPReader, _ w: inout MPWriter, _ pending: inout Int) throws(CDTError) {
        let start = r.at
        let h = try r.next()
        pending -= 1
        switch h.kind {
        case .int, .negInt:
            if h.bigUnsigned { w.appendUInt(UInt64(bitPattern: h.int)) } else { w.appendInt(h.int) }
        case .string, .bytes, .geojson:
            let payload = UnsafeRawBufferPointer(rebasing: r.buf[(start + h.headerSize)..<r.at])
            w.strHeader(payload.count)
            w.appendRaw(payload)
        case .list, .map:
            let isMap = h.kind == .map
            var n = h.count
            var marker: UInt8?
            if n > 0, let m = try? r.header(), m.kind == .ext, m.payloadSize == 0 {
                _ = try r.next()
                if isMap { try r.skip() }  // the marker's nil value
                n -= 1
                let f = m.extType & ~CollectionFlags.persistIndex
                if f != 0 { marker = f }
            }
            let total = n + (marker == nil ? 0 : 1)
            if isMap { w.appendMapHeader(total) } else { w.appendArrayHeader(total) }
            if let f = marker {
                w.appendExtMarker(f)
                if isMap { w.appendNil() }
            }
            pending += isMap ? n * 2 : n
        default:
            w.appendRaw(UnsafeRawBufferPointer(rebasing: r.buf[start..<r.at]))
        }
    }
}
