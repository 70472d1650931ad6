/// GeoJSON shapes as Aerospike stores and compares them: Point, Polygon (with holes),
/// MultiPolygon and the Aerospike extension AeroCircle. Coordinates are degrees,
/// longitude first, as in GeoJSON.
public enum GeoShape: Sendable, Equatable {
    case point(lng: Double, lat: Double)
    /// Outer ring first, then holes; rings closed (last vertex = first) or not.
    case polygon([[GeoPoint]])
    case multiPolygon([[[GeoPoint]]])
    /// `{"type":"AeroCircle","coordinates":[[lng,lat],radius_meters]}`.
    case circle(center: GeoPoint, radiusMeters: Double)

    /// True for the shapes that enclose an area (everything but a point).
    var isRegion: Bool {
        if case .point = self { return false }
        return true
    }
}

/// One position: longitude and latitude in degrees.
public struct GeoPoint: Sendable, Equatable {
    public var lng: Double
    public var lat: Double
    public init(lng: Double, lat: Double) { self.lng = lng; self.lat = lat }
}
