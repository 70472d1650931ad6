#if canImport(Glibc)
import Glibc
#endif
import CAeroSys

/// Reading record images back: from the current block, the post-write cache, or the file
/// (checked against the entry's checksum), and which blocks are in memory.
extension DeviceStore {
    /// Recomputes `fileReadsPossible` and the per-block residency. Caller holds the lock.
    func noteResidency() {
        let inUse = blockCount - free.count - (current == nil ? 0 : 1)
        fileReadsPossible.store(inUse > cached.count, ordering: .relaxed)
        for i in 0..<blockCount {
            let inMemory: Int64 = (current?.index == i || cached[i] != nil) ? 1 : 0
            if aero_atomic_load(resident + i) != inMemory { _ = aero_atomic_exchange(resident + i, inMemory) }
        }
    }
    /// Is this block's copy in memory (so reading from it cannot block)?
    @inline(__always) func isResident(block: Int) -> Bool { aero_atomic_load(resident + block) != 0 }
    public var readsMayHitFile: Bool { fileReadsPossible.load(ordering: .relaxed) }

    /// Copies the payload of the entry at (block, offset), `count` bytes, into `dst`: from the
    /// current block or the post-write cache when it is there, else from the file, where the
    /// whole entry is read and must pass its checksum and name `digest`.
    func read(block: Int, offset: Int, count: Int, digest: Digest, into dst: UnsafeMutableRawPointer, scratch: ThreadScratch) -> Bool {
        lock.lock()
        if let b = current, b.index == block {
            memcpy(dst, b.buf + offset, count); lock.unlock(); return true
        }
        if let b = cached[block] {
            memcpy(dst, b.buf + offset, count); lock.unlock(); return true
        }
        let seq = seqOf[block]
        lock.unlock()
        // The block cannot be freed meanwhile: the caller holds the record's partition lock,
        // which defrag needs before it moves the record away.
        let entryAt = block * blockSize + offset - DeviceStore.entryHeader
        let entryLen = DeviceStore.entryLength(payload: count)
        let page = DeviceStore.page
        let start = file.direct ? entryAt & ~(page - 1) : entryAt
        let end = file.direct ? (entryAt + entryLen + page - 1) & ~(page - 1) : entryAt + entryLen
        let buf = scratch.aligned(end - start)
        guard file.read(buf, count: end - start, at: start) else { return false }
        let entry = buf + (entryAt - start)
        guard Int(entry.load(as: UInt32.self)) == entryLen,
              Int(entry.load(fromByteOffset: 28, as: UInt32.self)) == count,
              Digest(UnsafeRawBufferPointer(start: entry + 8, count: 20)) == digest,
              DeviceStore.checksum(entry, seq: seq) == entry.load(fromByteOffset: 32, as: UInt32.self) else { return false }
        memcpy(dst, entry + DeviceStore.entryHeader, count)
        return true
    }
}
