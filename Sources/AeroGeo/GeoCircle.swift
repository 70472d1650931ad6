/// AeroCircle membership by great-circle distance (haversine) on a sphere of radius
/// 6371000 m. Longitude differences need no unwrapping: the haversine depends on the
/// difference only through sin^2(dlng/2), so 179.9 and -179.9 are 0.2 degrees apart.
enum GeoCircle {
    static let earthRadiusMeters = 6371000.0

    /// True when the great-circle distance from `center` to `point` is <= `radiusMeters`
    /// (a point exactly on the circle is inside). The comparison is made between haversines,
    /// hav(d/R) <= hav(r/R), with a relative slack of 1e-9 (micrometres at any radius) so that
    /// a point computed to lie on the circle is not lost to rounding.
    /// A negative radius encloses nothing; a radius of half the Earth's circumference or more
    /// encloses everything.
    static func contains(center: GeoPoint, radiusMeters: Double, point: GeoPoint) -> Bool {
        guard radiusMeters >= 0 else { return false }  // also rejects NaN
        let angle = radiusMeters / earthRadiusMeters
        if angle >= GeoMath.pi { return true }
        let limit = haversine(angle)
        let a = haversineOfDistance(center, point)
        return a <= limit * (1 + 1e-9)
    }

    /// hav(theta) = sin^2(theta / 2).
    static func haversine(_ theta: Double) -> Double {
        let s = GeoMath.sin(theta / 2)
        return s * s
    }

    /// hav of the central angle between two positions (0 = same place, 1 = antipodes).
    static func haversineOfDistance(_ p: GeoPoint, _ q: GeoPoint) -> Double {
        let rad = GeoMath.radiansPerDegree
        let dLat = (q.lat - p.lat) * rad
        let dLng = (q.lng - p.lng) * rad
        let h = haversine(dLat) + GeoMath.cos(p.lat * rad) * GeoMath.cos(q.lat * rad) * haversine(dLng)
        return min(max(h, 0), 1)
    }
}
