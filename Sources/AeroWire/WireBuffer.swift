#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable byte buffer over malloc'd memory, reused across requests.
/// Owned by exactly one thread at a time (a connection's reactor).
public final class WireBuffer: @unchecked Sendable {
    public private(set) var base: UnsafeMutableRawPointer
    public private(set) var capacity: Int
    public var count: Int = 0
    private let initialCapacity: Int

    public init(capacity: Int = 4096) {
        self.capacity = max(capacity, 64)
        self.initialCapacity = self.capacity
        base = malloc(self.capacity)!
    }
    deinit { free(base) }

    @inlinable public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Makes room for `n` more bytes.
    @inline(__always) public func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }
    @usableFromInline func grow(_ need: Int) {
        var c = capacity
        while c < need { c *= 2 }
        base = realloc(base, c)!
        capacity = c
    }
    /// Empties the buffer; gives back memory a huge reply left behind.
    public func reset() {
        count = 0
        if capacity > 1 << 20 {
            free(base)
            capacity = initialCapacity
            base = malloc(capacity)!
        }
    }
    /// Drops bytes before `offset` (consumed input), keeping the rest at the front.
    public func discardFront(_ n: Int) {
        if n >= count { count = 0; return }
        memmove(base, base + n, count - n)
        count -= n
    }
    public func truncate(to n: Int) { count = n }

    @inline(__always) public func append(_ v: UInt8) {
        reserve(1); base.storeBytes(of: v, toByteOffset: count, as: UInt8.self); count += 1
    }
    @inline(__always) public func appendU16(_ v: UInt16) {
        reserve(2); base.storeBytes(of: v.bigEndian, toByteOffset: count, as: UInt16.self); count += 2
    }
    @inline(__always) public func appendU32(_ v: UInt32) {
        reserve(4); base.storeBytes(of: v.bigEndian, toByteOffset: count, as: UInt32.self); count += 4
    }
    @inline(__always) public func appendU64(_ v: UInt64) {
        reserve(8); base.storeBytes(of: v.bigEndian, toByteOffset: count, as: UInt64.self); count += 8
    }
    @inline(__always) public func append(_ b: UnsafeRawBufferPointer) {
        guard b.count > 0 else { return }
        reserve(b.count); memcpy(base + count, b.baseAddress!, b.count); count += b.count
    }
    @inline(__always) public func append(_ p: UnsafeRawPointer, _ n: Int) {
        guard n > 0 else { return }
        reserve(n); memcpy(base + count, p, n); count += n
    }
    public func append(_ a: [UInt8]) { a.withUnsafeBytes { append($0) } }
    public func append(_ s: String) {
        var s = s
        s.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }
    /// Appends `n` zero bytes and returns their offset (to patch later).
    @inline(__always) public func appendZeros(_ n: Int) -> Int {
        reserve(n); memset(base + count, 0, n); count += n; return count - n
    }
    @inline(__always) public func patchU8(_ v: UInt8, at: Int) { base.storeBytes(of: v, toByteOffset: at, as: UInt8.self) }
    @inline(__always) public func patchU16(_ v: UInt16, at: Int) { base.storeBytes(of: v.bigEndian, toByteOffset: at, as: UInt16.self) }
    @inline(__always) public func patchU32(_ v: UInt32, at: Int) { base.storeBytes(of: v.bigEndian, toByteOffset: at, as: UInt32.self) }
    @inline(__always) public func patchU64(_ v: UInt64, at: Int) { base.storeBytes(of: v.bigEndian, toByteOffset: at, as: UInt64.self) }
}
