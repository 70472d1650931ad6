/// The CMP_GEO predicate and the point-in-region test behind it and behind geo queries.
extension Geo {
    /// CMP_GEO semantics: true when `a` is a point inside region `b`, or `a` is a region containing point `b`.
    /// Two points, or two regions: false (the real server compares point-vs-region only).
    public static func matches(_ a: GeoShape, _ b: GeoShape) -> Bool {
        switch (a, b) {
        case (.point(let lng, let lat), _) where b.isRegion:
            return contains(region: b, point: GeoPoint(lng: lng, lat: lat))
        case (_, .point(let lng, let lat)) where a.isRegion:
            return contains(region: a, point: GeoPoint(lng: lng, lat: lat))
        default:
            return false
        }
    }

    /// Point-in-region test (region = polygon, multipolygon or circle).
    ///
    /// Points exactly on an edge or at a vertex of a polygon (outer ring or hole) count as
    /// inside, as do points exactly on a circle. A point strictly inside a hole is outside.
    /// Polygon edges are straight in lng/lat, not great-circle arcs as in the real server's S2
    /// (see GeoRing); circles use great-circle distance (see GeoCircle). A point is not a
    /// region: contains nothing.
    public static func contains(region: GeoShape, point: GeoPoint) -> Bool {
        switch region {
        case .point:
            return false
        case .polygon(let rings):
            return polygonContains(rings, point)
        case .multiPolygon(let polygons):
            return polygons.contains { polygonContains($0, point) }
        case .circle(let center, let radius):
            return GeoCircle.contains(center: center, radiusMeters: radius, point: point)
        }
    }

    /// Even-odd over all rings: inside when within an odd number of rings, so a hole removes
    /// its area from the outer ring (and an island in a hole adds it back), as S2 nests loops.
    /// On the boundary of any ring counts as inside.
    static func polygonContains(_ rings: [[GeoPoint]], _ point: GeoPoint) -> Bool {
        var inside = false
        for ring in rings {
            switch GeoRing.locate(ring, point) {
            case .boundary: return true
            case .inside: inside.toggle()
            case .outside: break
            }
        }
        return inside
    }
}
