import CAeroSys

/// Sizes, free space, counters and the entry checksum of a device store.
extension DeviceStore {
    public var direct: Bool { file.direct }
    public var freeBlocks: Int { freeTotal.load(ordering: .relaxed) }
    public var totalBlocks: Int { blockCount }
    public var totalBytes: Int { blockCount * blockSize }
    /// Bytes of live entries across blocks.
    public var liveBytes: Int { liveTotal.load(ordering: .relaxed) }
    /// Free blocks as a percentage of all blocks (stop-writes-avail-pct compares against it).
    public var availablePct: Int { freeBlocks * 100 / blockCount }

    /// Bytes appended for clients, bytes re-appended by defrag, and blocks defrag freed.
    public struct Stats: Sendable {
        public var userBytes: Int
        public var defragBytes: Int
        public var defragFreed: Int
        public var freeBlocks: Int
        public var cachedBlocks: Int
    }
    public var stats: Stats {
        lock.withLock {
            Stats(userBytes: userBytes, defragBytes: defragRewritten, defragFreed: defragFreed,
                  freeBlocks: free.count, cachedBlocks: cached.count)
        }
    }

    /// CRC-32C of an entry (its header with the checksum field as zero, and its payload),
    /// then of the block's sequence number.
    static func checksum(_ entry: UnsafeMutableRawPointer, seq: UInt64) -> UInt32 {
        let payloadLen = Int(entry.load(fromByteOffset: 28, as: UInt32.self))
        var crc = aero_crc32c(0, entry + 4, 28)
        crc = aero_crc32c(crc, entry + entryHeader, payloadLen)
        var s = seq
        return withUnsafeBytes(of: &s) { aero_crc32c(crc, $0.baseAddress!, 8) }
    }
}
