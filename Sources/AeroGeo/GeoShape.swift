/// GeoJSON shapes as Aerospike uses them (filled in by the geo work).
public enum GeoShape: Sendable {
    case point(lng: Double, lat: Double)
}
