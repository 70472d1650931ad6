/// Where a point lies relative to one ring.
enum RingPosition: Equatable {
    case outside, inside, boundary
}

/// Point-in-ring tests in the lng/lat plane.
///
/// Edges are straight lines in longitude/latitude. The real server uses S2, whose edges are
/// great-circle arcs on the sphere; the two agree for small polygons and differ for very
/// large ones (an S2 edge between two points at latitude 60 bulges towards the pole).
/// S2 also uses a semi-open boundary model, whereas here points on an edge or at a vertex
/// (within `tolerance` degrees) are reported as `.boundary` and counted as inside.
///
/// Antimeridian: a ring is unwrapped along its edges, so consecutive longitudes that jump by
/// more than 180 degrees are taken to cross the antimeridian (170 then -170 is an edge 20
/// degrees wide, ending at unwrapped longitude 190), and the point is tried at its longitude
/// shifted by multiples of 360 that fall within the unwrapped ring.
///
/// A ring whose unwrapped longitudes advance by a full turn (e.g. latitude 80 all the way
/// round) encircles a pole; it is closed along that pole, chosen as the smaller side as S2 does
/// (the pole on the side of the ring's mean latitude).
enum GeoRing {
    /// Distance (degrees) within which a point counts as on an edge or vertex.
    static let tolerance = 1e-9

    /// Longitude step from `a` to `b` going the short way (-180...180).
    @inline(__always) static func step(_ a: Double, _ b: Double) -> Double {
        let d = b - a
        if d > 180 { return d - 360 }
        if d < -180 { return d + 360 }
        return d
    }

    static func locate(_ ring: [GeoPoint], _ p: GeoPoint) -> RingPosition {
        var n = ring.count
        if n > 1 && ring[n - 1] == ring[0] { n -= 1 }  // closed ring: the last vertex repeats the first
        guard n >= 2, p.lng.isFinite, p.lat.isFinite else { return .outside }

        // First pass: extent of the unwrapped ring and how far round it goes.
        var u = ring[0].lng, minU = u, maxU = u, latSum = ring[0].lat
        for i in 1..<n {
            u += step(ring[i - 1].lng, ring[i].lng)
            minU = min(minU, u); maxU = max(maxU, u)
            latSum += ring[i].lat
        }
        let turn = u + step(ring[n - 1].lng, ring[0].lng) - ring[0].lng
        var geometry = Unwrapped(ring: ring, count: n, closingLng: ring[0].lng, poleLat: nil)
        if abs(turn) > 180 {
            geometry.closingLng = ring[0].lng + (turn > 0 ? 360 : -360)
            geometry.poleLat = latSum >= 0 ? 90 : -90
            minU = min(minU, geometry.closingLng); maxU = max(maxU, geometry.closingLng)
        }

        // Try the point at each shift by 360 within the ring's extent (at most a few).
        var result = RingPosition.outside
        for k in -2...2 {
            let x = p.lng + Double(k) * 360
            guard x >= minU - tolerance && x <= maxU + tolerance else { continue }
            switch geometry.locate(x: x, y: p.lat) {
            case .boundary: return .boundary
            case .inside: result = .inside
            case .outside: break
            }
        }
        return result
    }

    /// The ring as a closed planar polygon in unwrapped longitudes.
    private struct Unwrapped {
        let ring: [GeoPoint]
        let count: Int
        /// Unwrapped longitude of the end of the closing edge (the first vertex, or the first
        /// vertex one turn later for a ring round a pole).
        var closingLng: Double
        /// For a ring round a pole: that pole's latitude; the polygon is closed along it.
        var poleLat: Double?

        func locate(x: Double, y: Double) -> RingPosition {
            var edge = EdgeWalker(x: x, y: y)
            var ax = ring[0].lng, ay = ring[0].lat
            for i in 1..<count {
                let bx = ax + GeoRing.step(ring[i - 1].lng, ring[i].lng), by = ring[i].lat
                if edge.visit(ax, ay, bx, by) { return .boundary }
                ax = bx; ay = by
            }
            let x0 = ring[0].lng, y0 = ring[0].lat
            if let pole = poleLat {
                // Closing edge one turn on, then along the pole and back down to the start.
                if edge.visit(ax, ay, closingLng, y0) { return .boundary }
                if edge.visit(closingLng, y0, closingLng, pole) { return .boundary }
                if edge.visit(closingLng, pole, x0, pole) { return .boundary }
                if edge.visit(x0, pole, x0, y0) { return .boundary }
            } else {
                if edge.visit(ax, ay, x0, y0) { return .boundary }
            }
            return edge.inside ? .inside : .outside
        }
    }

    /// Ray casting towards +x, with an on-edge check per edge.
    private struct EdgeWalker {
        let x: Double, y: Double
        var inside = false

        /// Visits edge a-b; true when the point is on it.
        mutating func visit(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) -> Bool {
            if onSegment(ax, ay, bx, by) { return true }
            if (ay > y) != (by > y) {
                let cx = ax + (y - ay) / (by - ay) * (bx - ax)
                if x < cx { inside.toggle() }
            }
            return false
        }

        private func onSegment(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) -> Bool {
            let tol = GeoRing.tolerance
            guard x >= min(ax, bx) - tol, x <= max(ax, bx) + tol,
                  y >= min(ay, by) - tol, y <= max(ay, by) + tol else { return false }
            let dx = bx - ax, dy = by - ay
            let length = (dx * dx + dy * dy).squareRoot()
            if length <= tol { return true }  // a zero-length edge: within the box is near the vertex
            let cross = dx * (y - ay) - dy * (x - ax)
            return abs(cross) <= tol * length  // distance from the line <= tol
        }
    }
}
