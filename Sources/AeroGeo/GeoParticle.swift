/// The stored GeoJSON particle (particle type 23, kv.md section 3):
/// `u8 flags`, `u16 BE ncells`, `ncells x u64 BE` S2 cell ids, then the JSON text.
extension Geo {
    /// The JSON text inside a stored GeoJSON particle (skips flags, ncells and cell ids); nil if malformed.
    /// A particle with no text after its cells is malformed (a GeoJSON value is never empty).
    public static func particleText(_ particle: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let headerSize = 3
        guard particle.count > headerSize else { return nil }
        let ncells = Int(particle[1]) << 8 | Int(particle[2])  // at most 65535: no overflow below
        let textStart = headerSize + ncells * 8
        guard textStart < particle.count else { return nil }
        return UnsafeRawBufferPointer(rebasing: particle[textStart...])
    }
}
