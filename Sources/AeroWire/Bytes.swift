/// Big-endian loads from raw buffers. Callers check bounds first; these never do.
extension UnsafeRawBufferPointer {
    @inlinable public func u16BE(_ at: Int) -> UInt16 {
        UInt16(self[at]) << 8 | UInt16(self[at + 1])
    }
    @inlinable public func u32BE(_ at: Int) -> UInt32 {
        UInt32(bigEndian: self.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }
    @inlinable public func u64BE(_ at: Int) -> UInt64 {
        UInt64(bigEndian: self.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }
    @inlinable public func u16LE(_ at: Int) -> UInt16 {
        UInt16(self[at]) | UInt16(self[at + 1]) << 8
    }
    @inlinable public func u64LE(_ at: Int) -> UInt64 {
        UInt64(littleEndian: self.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }
    /// Sub-slice as its own buffer (no copy).
    @inlinable public func slice(_ start: Int, _ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[start..<(start + count)])
    }
    /// Byte-wise equality with an ASCII/UTF-8 byte array.
    @inlinable public func equals(_ other: [UInt8]) -> Bool {
        guard count == other.count else { return false }
        return other.withUnsafeBytes { o in
            count == 0 || memcmp(baseAddress!, o.baseAddress!, count) == 0
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
