import AeroGeo

/// GeoJSON comparisons for CMP_GEO.
enum ExpGeo {
    /// The JSON text of a stored GeoJSON particle (flags, cell count, cells, then the text).
    static func particleText(_ p: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        Geo.particleText(p)
    }

    /// Point-in-region either way round; nil (UNKNOWN) when either side is not valid GeoJSON.
    static func matches(_ a: ExpBytes, _ b: ExpBytes) -> Bool? {
        guard let x = a.with({ Geo.parse($0) }), let y = b.with({ Geo.parse($0) }) else { return nil }
        return Geo.matches(x, y)
    }
}
