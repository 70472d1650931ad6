/// The 8-byte proto header: version, type, 48-bit body size (big-endian).
public struct ProtoHeader: Equatable, Sendable {
    public var version: UInt8
    public var type: UInt8
    public var size: Int

    public init(version: UInt8, type: UInt8, size: Int) {
        self.version = version; self.type = type; self.size = size
    }
    public init(_ b: UnsafeRawBufferPointer) {
        let raw = b.u64BE(0)
        version = UInt8(raw >> 56)
        type = UInt8((raw >> 48) & 0xFF)
        size = Int(raw & 0xFFFF_FFFF_FFFF)
    }
    public static func encode(type: UInt8, size: Int) -> UInt64 {
        (2 << 56) | (UInt64(type) << 48) | UInt64(size)
    }

    /// Whether a server may serve a frame with this header (else: close the connection).
    public var isAcceptable: Bool {
        guard size <= ProtoLimits.maxBody else { return false }
        switch type {
        case ProtoType.info, ProtoType.message, ProtoType.compressed: return version == 2
        case ProtoType.admin: return version == 2 || version == 0
        default: return false
        }
    }
}

extension WireBuffer {
    /// Starts a frame; returns its offset for `endFrame`.
    @inline(__always) public func beginFrame(type: UInt8) -> Int {
        let at = count
        appendU64(ProtoHeader.encode(type: type, size: 0))
        return at
    }
    /// Patches the frame's size now that its body is written.
    @inline(__always) public func endFrame(at: Int) {
        let size = count - at - 8
        let type = base.load(fromByteOffset: at + 1, as: UInt8.self)
        patchU64(ProtoHeader.encode(type: type, size: size), at: at)
    }

    /// Appends a 22-byte AS_MSG header; returns its offset.
    @discardableResult
    @inline(__always) public func appendMsgHeader(info1: UInt8 = 0, info2: UInt8 = 0, info3: UInt8 = 0,
                                                  result: UInt8, generation: UInt32 = 0, voidTime: UInt32 = 0,
                                                  transactionTTL: UInt32 = 0, nFields: UInt16 = 0, nOps: UInt16 = 0) -> Int {
        let at = count
        reserve(22)
        append(22); append(info1); append(info2); append(info3); append(0); append(result)
        appendU32(generation); appendU32(voidTime); appendU32(transactionTTL)
        appendU16(nFields); appendU16(nOps)
        return at
    }
    /// Field: u32 size (1 + data), u8 type, data.
    @inline(__always) public func appendField(_ type: UInt8, _ data: UnsafeRawBufferPointer) {
        appendU32(UInt32(data.count + 1)); append(type); append(data)
    }
    /// Op header: u32 size, op, particle type, flags 0, name length, name. The value follows.
    @inline(__always) public func appendOpHeader(op: UInt8, particle: UInt8, name: UnsafeRawBufferPointer, valueSize: Int) {
        appendU32(UInt32(4 + name.count + valueSize))
        append(op); append(particle); append(0); append(UInt8(truncatingIfNeeded: name.count))
        append(name)
    }
    /// A complete op with its value.
    @inline(__always) public func appendOp(op: UInt8, particle: UInt8, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        appendOpHeader(op: op, particle: particle, name: name, valueSize: value.count)
        append(value)
    }

    /// A whole single-message reply frame carrying only a header.
    public func appendHeaderOnlyReply(result: UInt8, generation: UInt32 = 0, voidTime: UInt32 = 0, info3: UInt8 = 0) {
        let f = beginFrame(type: ProtoType.message)
        appendMsgHeader(info3: info3, result: result, generation: generation, voidTime: voidTime)
        endFrame(at: f)
    }
}
