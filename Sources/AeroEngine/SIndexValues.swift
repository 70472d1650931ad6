import AeroWire
import AeroCDT

/// What an index takes from a record: the bin (through the context, if any), then the
/// value itself or the elements/keys/values of a collection, as 64-bit bvals. Values of
/// another type are not indexed. Each distinct bval appears once per record.
enum SIndexValues {
    /// bvals of `r` for `def`, in no particular order, without duplicates.
    static func bvals(_ def: SIndexDef, _ r: RecordRef, binName: [UInt8], into out: inout [Int64]) {
        out.removeAll(keepingCapacity: true)
        guard let bin = binName.withUnsafeBytes({ r.findBin($0) }) else { return }
        var value: [UInt8]
        var particle = bin.particle
        if let ctx = def.context {
            guard particle == ParticleType.list || particle == ParticleType.map,
                  let nested = Context.select(ctx, in: Array(bin.value)) else { return }
            value = nested
            particle = 0  // msgpack from here on
        } else {
            value = Array(bin.value)
        }
        switch def.collection {
        case .default:
            if particle != 0 {
                if let b = scalarBval(def.type, particle, value) { out.append(b) }
            } else if let b = msgpackBval(def.type, value) {
                out.append(b)
            }
        case .list:
            guard let list = try? CDTList.parse(particle == 0 || particle == ParticleType.list ? value : []) else { return }
            for item in list.items { if let b = msgpackBval(def.type, item) { out.append(b) } }
        case .mapkeys, .mapvalues:
            guard let map = try? CDTMap.parse(particle == 0 || particle == ParticleType.map ? value : []) else { return }
            for e in map.entries {
                if let b = msgpackBval(def.type, def.collection == .mapkeys ? e.key : e.value) { out.append(b) }
            }
        }
        if out.count > 1 {
            out.sort()
            var w = 1
            for i in 1..<out.count where out[i] != out[w - 1] { out[w] = out[i]; w += 1 }
            out.removeLast(out.count - w)
        }
    }

    static func scalarBval(_ t: SIndexDef.KeyType, _ particle: UInt8, _ v: [UInt8]) -> Int64? {
        switch (t, particle) {
        case (.numeric, ParticleType.integer):
            guard v.count == 8 else { return nil }
            return v.withUnsafeBytes { Int64(bitPattern: $0.u64BE(0)) }
        case (.string, ParticleType.string): return hash(v[...])
        case (.blob, ParticleType.blob): return hash(v[...])
        case (.geo2dsphere, ParticleType.geojson): return 0
        default: return nil
        }
    }

    static func msgpackBval(_ t: SIndexDef.KeyType, _ v: [UInt8]) -> Int64? {
        guard let h = try? v.withReader({ r throws(CDTError) in try r.header() }) else { return nil }
        switch (t, h.kind) {
        case (.numeric, .int), (.numeric, .negInt): return h.bigUnsigned ? nil : h.int
        case (.string, .string), (.blob, .bytes), (.geo2dsphere, .geojson):
            guard h.payloadSize >= 1 else { return nil }
            if t == .blob && v[h.headerSize] != ParticleType.blob { return nil }
            if t == .geo2dsphere { return 0 }
            return hash(v[(h.headerSize + 1)..<(h.headerSize + h.payloadSize)])
        default: return nil
        }
    }

    /// The bval of a string or blob: a 64-bit hash of its bytes. (The real server uses
    /// wyhash; clients only echo bvals back, so the exact function does not matter to them.)
    static func hash(_ b: ArraySlice<UInt8>) -> Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in b { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
        h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd; h ^= h >> 33
        return Int64(bitPattern: h)
    }
}
