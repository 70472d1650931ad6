/// Aerospike's total order of msgpack values (cdt.md 1.2): by kind first
/// (nil < false < true < negative int < int < string < list < map < bytes < double < geojson
/// < ext < wildcard < infinity), then within the kind. A wildcard equals anything, also
/// inside lists, and ends the comparison there.
public enum ValueOrder {
    /// -1, 0 or 1. Both values must be well formed (validated input).
    public static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        var ra = MPReader(a), rb = MPReader(b)
        return (try? compareNext(&ra, &rb)) ?? 0
    }
    public static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in compare(x, y) } }
    }

    /// Compares the elements at both readers' positions and moves both past them.
    static func compareNext(_ ra: inout MPReader, _ rb: inout MPReader) throws(CDTError) -> Int {
        let ha = try ra.header(), hb = try rb.header()
        if ha.kind == .wildcard || hb.kind == .wildcard {
            try ra.skip(); try rb.skip()
            return 0
        }
        if ha.kind != hb.kind {
            try ra.skip(); try rb.skip()
            return ha.kind < hb.kind ? -1 : 1
        }
        switch ha.kind {
        case .nil_, .false_, .true_, .infinity:
            _ = try ra.next(); _ = try rb.next()
            return 0
        case .negInt, .int:
            _ = try ra.next(); _ = try rb.next()
            if ha.bigUnsigned || hb.bigUnsigned {
                let x = UInt64(bitPattern: ha.int), y = UInt64(bitPattern: hb.int)
                return x == y ? 0 : (x < y ? -1 : 1)
            }
            return ha.int == hb.int ? 0 : (ha.int < hb.int ? -1 : 1)
        case .double:
            _ = try ra.next(); _ = try rb.next()
            return ha.double == hb.double ? 0 : (ha.double < hb.double ? -1 : 1)
        case .string, .bytes, .geojson, .ext:
            let pa = UnsafeRawBufferPointer(rebasing: ra.buf[(ra.at + ha.headerSize)..<(ra.at + ha.headerSize + ha.payloadSize)])
            let pb = UnsafeRawBufferPointer(rebasing: rb.buf[(rb.at + hb.headerSize)..<(rb.at + hb.headerSize + hb.payloadSize)])
            _ = try ra.next(); _ = try rb.next()
            return bytesCompare(pa, pb)
        case .list:
            _ = try ra.next(); _ = try rb.next()
            var na = ha.children, nb = hb.children
            try skipMarker(&ra, &na); try skipMarker(&rb, &nb)
            var i = 0
            while i < na && i < nb {
                // Reaching a wildcard ends the comparison as "equal", whatever follows.
                let ka = try ra.header().kind, kb = try rb.header().kind
                if ka == .wildcard || kb == .wildcard {
                    try skipN(&ra, na - i); try skipN(&rb, nb - i)
                    return 0
                }
                let c = try compareNext(&ra, &rb)
                if c != 0 {
                    try skipN(&ra, na - i - 1); try skipN(&rb, nb - i - 1)
                    return c
                }
                i += 1
            }
            try skipN(&ra, na - i); try skipN(&rb, nb - i)
            return na == nb ? 0 : (na < nb ? -1 : 1)
        case .map:
            _ = try ra.next(); _ = try rb.next()
            var na = ha.children, nb = hb.children
            try skipMarker(&ra, &na, pairs: true); try skipMarker(&rb, &nb, pairs: true)
            if na != nb {
                try skipN(&ra, na); try skipN(&rb, nb)
                return na < nb ? -1 : 1
            }
            for i in 0..<na {
                let c = try compareNext(&ra, &rb)
                if c != 0 { try skipN(&ra, na - i - 1); try skipN(&rb, nb - i - 1); return c }
            }
            return 0
        case .wildcard:
            return 0
        }
    }

    /// Skips a leading ordered-collection marker (and its nil value in maps).
    static func skipMarker(_ r: inout MPReader, _ n: inout Int, pairs: Bool = false) throws(CDTError) {
        guard n > 0, let h = try? r.header(), h.kind == .ext, h.payloadSize == 0 else { return }
        _ = try r.next()
        n -= 1
        if pairs { try r.skip(); n -= 1 }
    }
    static func skipN(_ r: inout MPReader, _ n: Int) throws(CDTError) {
        var k = n
        while k > 0 { try r.skip(); k -= 1 }
    }

    static func bytesCompare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}
