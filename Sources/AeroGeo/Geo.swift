/// The geo entry points used by expressions (CMP_GEO) and secondary-index geo queries.
/// Parsing lives in GeoJSONDecoder.swift, the particle layout in GeoParticle.swift and the
/// predicates in GeoContains.swift.
public enum Geo {
    /// Parses GeoJSON text (UTF-8 bytes). nil = not valid GeoJSON of a supported type
    /// (bad JSON, wrong coordinate shapes, lat outside [-90,90], lng outside [-180,180], rings with < 3 distinct points).
    public static func parse(_ json: UnsafeRawBufferPointer) -> GeoShape? {
        guard let doc = JSONParser.parse(json) else { return nil }
        return GeoJSONDecoder.shape(doc)
    }
}
