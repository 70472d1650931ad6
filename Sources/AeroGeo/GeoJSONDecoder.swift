/// Turns a parsed JSON document into a `GeoShape`, with the real server's rules
/// (as/src/geospatial/geojson.cc):
/// * the top level is an object whose "type" is "Point", "Polygon", "MultiPolygon",
///   "AeroCircle", or "Feature" with such a geometry in "geometry"; other members are ignored;
/// * a position is an array of exactly two numbers [lng, lat] (no altitude), with
///   lat in [-90, 90] and lng in [-180, 180];
/// * an AeroCircle's coordinates are `[[lng, lat], radius_meters]`; the flat
///   `[lng, lat, radius]` is invalid. A negative radius is accepted and encloses nothing
///   (an empty S2Cap on the server).
/// * a ring needs at least 3 distinct positions. Unlike the server, which requires the
///   last position to repeat the first, an unclosed ring is accepted and closed implicitly.
/// * a Polygon with no rings, or a MultiPolygon with no polygons, is accepted and encloses
///   nothing, as on the server.
enum GeoJSONDecoder {
    static func shape(_ doc: JSONDocument) -> GeoShape? {
        let root = doc.root
        guard let type = doc.member(root, "type") else { return nil }
        if doc.isString(type, "Feature") {
            guard let geometry = doc.member(root, "geometry") else { return nil }
            return geometryShape(doc, geometry)
        }
        return geometryShape(doc, root)
    }

    private static func geometryShape(_ doc: JSONDocument, _ node: Int) -> GeoShape? {
        guard let type = doc.member(node, "type"), let coords = doc.member(node, "coordinates") else { return nil }
        if doc.isString(type, "Point") {
            guard let p = position(doc, coords) else { return nil }
            return .point(lng: p.lng, lat: p.lat)
        }
        if doc.isString(type, "Polygon") {
            guard let rings = polygon(doc, coords) else { return nil }
            return .polygon(rings)
        }
        if doc.isString(type, "MultiPolygon") {
            guard let items = doc.array(coords) else { return nil }
            var polygons: [[[GeoPoint]]] = []
            polygons.reserveCapacity(items.count)
            for item in items {
                guard let rings = polygon(doc, item) else { return nil }
                polygons.append(rings)
            }
            return .multiPolygon(polygons)
        }
        if doc.isString(type, "AeroCircle") {
            guard let parts = doc.array(coords), parts.count == 2,
                  let center = position(doc, parts[0]), let radius = doc.number(parts[1]) else { return nil }
            return .circle(center: center, radiusMeters: radius)
        }
        return nil
    }

    private static func position(_ doc: JSONDocument, _ node: Int) -> GeoPoint? {
        guard let pair = doc.array(node), pair.count == 2,
              let lng = doc.number(pair[0]), let lat = doc.number(pair[1]),
              lng >= -180 && lng <= 180, lat >= -90 && lat <= 90 else { return nil }
        return GeoPoint(lng: lng, lat: lat)
    }

    private static func polygon(_ doc: JSONDocument, _ node: Int) -> [[GeoPoint]]? {
        guard let items = doc.array(node) else { return nil }
        var rings: [[GeoPoint]] = []
        rings.reserveCapacity(items.count)
        for item in items {
            guard let ring = ring(doc, item) else { return nil }
            rings.append(ring)
        }
        return rings
    }

    /// A ring's positions as written (closed or not).
    private static func ring(_ doc: JSONDocument, _ node: Int) -> [GeoPoint]? {
        guard let items = doc.array(node) else { return nil }
        var points: [GeoPoint] = []
        points.reserveCapacity(items.count)
        for item in items {
            guard let p = position(doc, item) else { return nil }
            points.append(p)
        }
        return hasThreeDistinct(points) ? points : nil
    }

    private static func hasThreeDistinct(_ points: [GeoPoint]) -> Bool {
        guard let first = points.first, let second = points.first(where: { $0 != first }) else { return false }
        return points.contains { $0 != first && $0 != second }
    }
}
