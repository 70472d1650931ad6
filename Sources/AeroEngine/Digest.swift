/// A record's 20-byte RIPEMD-160 digest, held as three words for fast compare/hash.
public struct Digest: Hashable, Sendable {
    public var w0: UInt64   // bytes 0..7 (native load)
    public var w1: UInt64   // bytes 8..15
    public var w2: UInt32   // bytes 16..19

    @inlinable public init(w0: UInt64, w1: UInt64, w2: UInt32) { self.w0 = w0; self.w1 = w1; self.w2 = w2 }
    /// `b` must hold at least 20 bytes.
    @inlinable public init(_ b: UnsafeRawBufferPointer) {
        w0 = b.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        w1 = b.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        w2 = b.loadUnaligned(fromByteOffset: 16, as: UInt32.self)
    }
    public init(bytes: [UInt8]) { self = bytes.withUnsafeBytes { Digest($0) } }

    /// Partition id: first two bytes as little-endian u16, low 12 bits.
    @inlinable public var partitionID: Int { Int(UInt16(truncatingIfNeeded: w0.littleEndian) & 0x0FFF) }
    /// Table hash: digest bytes are uniformly random; skip the partition-id bytes.
    @inlinable public var hash: UInt64 { w1 }

    public func write(to p: UnsafeMutableRawPointer) {
        p.storeBytes(of: w0, toByteOffset: 0, as: UInt64.self)
        p.storeBytes(of: w1, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: w2, toByteOffset: 16, as: UInt32.self)
    }
    public var bytes: [UInt8] {
        var a = [UInt8](repeating: 0, count: 20)
        a.withUnsafeMutableBytes { write(to: $0.baseAddress!) }
        return a
    }

    /// Byte-wise (big-endian) order, as the real server walks a partition.
    @inlinable public static func byteOrderLess(_ a: Digest, _ b: Digest) -> Bool {
        let a0 = UInt64(bigEndian: a.w0), b0 = UInt64(bigEndian: b.w0)
        if a0 != b0 { return a0 < b0 }
        let a1 = UInt64(bigEndian: a.w1), b1 = UInt64(bigEndian: b.w1)
        if a1 != b1 { return a1 < b1 }
        return UInt32(bigEndian: a.w2) < UInt32(bigEndian: b.w2)
    }
}
