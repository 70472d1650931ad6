#if canImport(Glibc)
import Glibc
#endif

/// One record as a single malloc'd buffer: metadata, optional stored key, bins.
/// The same flat layout is what a device engine would write.
///
///     0  u32 total size          16 u64 last-update time (ms since 2010)
///     4  u16 generation          24 u32 key length
///     6  u16 set id (0 = none)   28 u32 reserved
///     8  u32 void time (s since 2010, 0 = never)
///    12  u16 bin count           32 key bytes, then bins:
///    14  u8  key particle type (0 = no stored key)   u8 name len, name, u8 particle, u32 value len, value
///    15  u8  flags
public struct RecordRef {
    public let p: UnsafeMutableRawPointer
    @inlinable public init(_ p: UnsafeMutableRawPointer) { self.p = p }

    public static let headerSize = 32

    @inlinable public var size: Int { Int(p.load(fromByteOffset: 0, as: UInt32.self)) }
    @inlinable public var generation: UInt16 { p.load(fromByteOffset: 4, as: UInt16.self) }
    @inlinable public var setID: UInt16 { p.load(fromByteOffset: 6, as: UInt16.self) }
    @inlinable public var voidTime: UInt32 {
        get { p.load(fromByteOffset: 8, as: UInt32.self) }
        nonmutating set { p.storeBytes(of: newValue, toByteOffset: 8, as: UInt32.self) }
    }
    @inlinable public var binCount: Int { Int(p.load(fromByteOffset: 12, as: UInt16.self)) }
    @inlinable public var keyType: UInt8 { p.load(fromByteOffset: 14, as: UInt8.self) }
    @inlinable public var lastUpdateMs: UInt64 {
        get { p.load(fromByteOffset: 16, as: UInt64.self) }
        nonmutating set { p.storeBytes(of: newValue, toByteOffset: 16, as: UInt64.self) }
    }
    @inlinable public var keyLength: Int { Int(p.load(fromByteOffset: 24, as: UInt32.self)) }
    @inlinable public var key: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: p + RecordRef.headerSize, count: keyLength)
    }
    @inlinable public var binsStart: Int { RecordRef.headerSize + keyLength }

    /// Expired when a void time is set and lies before `now` (at `now == void` it still lives).
    @inlinable public func isExpired(now: UInt32) -> Bool {
        let v = voidTime
        return v != 0 && v < now
    }

    /// Visits bins in stored order.
    @inlinable public func forEachBin(_ visit: (_ name: UnsafeRawBufferPointer, _ particle: UInt8, _ value: UnsafeRawBufferPointer) -> Void) {
        var at = binsStart
        for _ in 0..<binCount {
            let nameLen = Int(p.load(fromByteOffset: at, as: UInt8.self))
            let name = UnsafeRawBufferPointer(start: p + at + 1, count: nameLen)
            let particle = p.load(fromByteOffset: at + 1 + nameLen, as: UInt8.self)
            let valueLen = Int(p.loadUnaligned(fromByteOffset: at + 2 + nameLen, as: UInt32.self))
            let value = UnsafeRawBufferPointer(start: p + at + 6 + nameLen, count: valueLen)
            visit(name, particle, value)
            at += 6 + nameLen + valueLen
        }
    }

    /// Finds one bin by name.
    @inlinable public func findBin(_ want: UnsafeRawBufferPointer) -> (particle: UInt8, value: UnsafeRawBufferPointer)? {
        var found: (UInt8, UnsafeRawBufferPointer)?
        forEachBin { name, particle, value in
            if found == nil, name.elementsEqual(want) { found = (particle, value) }
        }
        return found
    }

    public func free() { Glibc.free(p) }
}

/// The size a record with these parts takes.
@inlinable public func recordSize(keyLength: Int, binsBytes: Int) -> Int {
    RecordRef.headerSize + keyLength + binsBytes
}

/// Per-bin overhead in the flat layout (name length, particle, value length).
public let binOverhead = 6
