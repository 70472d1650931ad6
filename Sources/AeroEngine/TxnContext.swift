#if canImport(Glibc)
import Glibc
#endif
import AeroWire

/// A bin while a write is being built: name and value point into the request, the old
/// record, or the context's arena; all stay valid until the new record is stored.
public struct WorkBin {
    public var name: UnsafeRawBufferPointer
    public var particle: UInt8
    public var value: UnsafeRawBufferPointer
}

/// Bump allocator for values computed during one transaction (increments, appends).
/// Chunks are kept across transactions; `reset` frees all but the first.
public final class ScratchArena {
    private var chunks: [UnsafeMutableRawPointer] = []
    private var chunkSizes: [Int] = []
    private var used = 0
    private static let chunkSize = 64 * 1024

    public init() {
        chunks.append(malloc(ScratchArena.chunkSize)!)
        chunkSizes.append(ScratchArena.chunkSize)
    }
    deinit { for c in chunks { free(c) } }

    public func allocate(_ n: Int) -> UnsafeMutableRawPointer {
        let aligned = (n + 7) & ~7
        if used + aligned <= chunkSizes[chunkSizes.count - 1] {
            let p = chunks[chunks.count - 1] + used
            used += aligned
            return p
        }
        let size = max(ScratchArena.chunkSize, aligned)
        chunks.append(malloc(size)!)
        chunkSizes.append(size)
        used = aligned
        return chunks[chunks.count - 1]
    }
    public func reset() {
        while chunks.count > 1 { free(chunks.removeLast()); chunkSizes.removeLast() }
        used = 0
    }
}

/// Per-reactor scratch state for transactions: reused, never shared between threads.
public final class TxnContext {
    public var bins: [WorkBin] = []
    public let arena = ScratchArena()
    /// Digests collected while scanning a partition (reused).
    public var digests: [Digest] = []
    public init() { bins.reserveCapacity(32) }

    func reset() {
        bins.removeAll(keepingCapacity: true)
        arena.reset()
    }

    func findBin(_ name: UnsafeRawBufferPointer) -> Int? {
        for i in bins.indices where bins[i].name.elementsEqual(name) { return i }
        return nil
    }

    /// Removes a bin the way the real server does: the last bin moves into its slot
    /// (so bin order after a removal matches what clients see from a real server).
    func removeBin(at i: Int) {
        let last = bins.removeLast()
        if i < bins.count { bins[i] = last }
    }

    /// Copies bytes into the arena.
    func stash(_ b: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let p = arena.allocate(max(b.count, 1))
        if b.count > 0 { memcpy(p, b.baseAddress!, b.count) }
        return UnsafeRawBufferPointer(start: p, count: b.count)
    }
}
