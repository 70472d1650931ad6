/// GeoJSON comparisons for CMP_GEO (filled in when the AeroGeo predicates land).
enum ExpGeo {
    /// The JSON text of a stored GeoJSON particle: u8 flags, u16 BE cell count, the cells, text.
    static func particleText(_ p: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard p.count >= 3 else { return nil }
        let cells = Int(p[1]) << 8 | Int(p[2])
        let start = 3 + 8 * cells
        guard start <= p.count else { return nil }
        return UnsafeRawBufferPointer(rebasing: p[start...])
    }

    /// Point-in-region either way round; nil when either side is not valid GeoJSON.
    static func matches(_ a: ExpBytes, _ b: ExpBytes) -> Bool? {
        nil
    }
}
