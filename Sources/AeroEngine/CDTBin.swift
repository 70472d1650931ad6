import AeroWire
import AeroCDT

/// CDT operations (op types 3 and 4) against bins, and list/map values on their way in
/// and out of storage.
extension Engine {
    /// Runs a CDT op on a bin (`value` nil when the bin is missing). Returns the new bin value
    /// (nil = unchanged) and the op's result, or a result code.
    static func cdt(_ op: OpView, _ body: UnsafeRawBufferPointer, particle: UInt8?, value: UnsafeRawBufferPointer?)
        -> Result<CDTExecutor.Outcome, CDTError> {
        let isCollection = particle == ParticleType.list || particle == ParticleType.map
        return Result { () throws(CDTError) -> CDTExecutor.Outcome in
            try CDTExecutor.run(payload: body[span: op.value], bin: value,
                                binIsCollection: particle == nil || isCollection,
                                modify: op.op == OpType.cdtModify)
        }
    }

    /// The particle type of a stored collection value (list or map).
    static func collectionParticle(_ v: [UInt8]) -> UInt8 {
        v.first.map { ($0 & 0xf0) == 0x80 || $0 == 0xde || $0 == 0xdf } == true ? ParticleType.map : ParticleType.list
    }
}

/// Converts a CDT result (msgpack) into the particle a client expects in the reply op.
enum CDTResult {
    /// Appends the result op; returns false when the result is nil (no op written).
    static func append(_ out: WireBuffer, op: UInt8, name: UnsafeRawBufferPointer, result: [UInt8]) -> Bool {
        guard let h = try? result.withReader({ r throws(CDTError) in try r.header() }) else { return false }
        func emit(_ particle: UInt8, _ value: UnsafeRawBufferPointer) {
            out.appendOp(op: op, particle: particle, name: name, value: value)
        }
        switch h.kind {
        case .nil_:
            return false
        case .false_, .true_:
            var b: UInt8 = h.kind == .true_ ? 1 : 0
            withUnsafeBytes(of: &b) { emit(ParticleType.bool, $0) }
        case .int, .negInt:
            var v = UInt64(bitPattern: h.int).bigEndian
            withUnsafeBytes(of: &v) { emit(ParticleType.integer, $0) }
        case .double:
            var v = h.double.bitPattern.bigEndian
            withUnsafeBytes(of: &v) { emit(ParticleType.float, $0) }
        case .string, .bytes, .geojson:
            result.withUnsafeBytes { raw in
                let payload = raw.slice(h.headerSize, h.payloadSize)
                if payload.count == 0 {
                    emit(ParticleType.blob, payload)
                } else if h.kind == .geojson {
                    // GeoJSON particle: flags, cell count (0), then the text.
                    var g: [UInt8] = [0, 0, 0]
                    g.append(contentsOf: payload.slice(1, payload.count - 1))
                    g.withUnsafeBytes { emit(ParticleType.geojson, $0) }
                } else {
                    emit(payload[0], payload.slice(1, payload.count - 1))
                }
            }
        case .list, .map:
            result.withUnsafeBytes { raw in
                emit(h.kind == .list ? ParticleType.list : ParticleType.map, raw)
            }
        case .ext, .wildcard, .infinity:
            return false
        }
        return true
    }
}

extension WireBuffer {
    /// A stored bin as a reply op. Lists and maps are shown as clients see them: no
    /// PERSIST_INDEX bit and no offset index in their marker.
    @inline(__always) func appendBinOp(op: UInt8, particle: UInt8, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        guard particle == ParticleType.list || particle == ParticleType.map, let m = Normalize.clientMarker(value) else {
            appendOp(op: op, particle: particle, name: name, value: value)
            return
        }
        let tail = value.count - m.markerEnd
        appendOpHeader(op: op, particle: particle, name: name, valueSize: m.headerEnd + 3 + tail)
        append(value.slice(0, m.headerEnd))
        append(0xc7); append(0); append(m.flags)
        append(value.slice(m.markerEnd, tail))
    }
}
