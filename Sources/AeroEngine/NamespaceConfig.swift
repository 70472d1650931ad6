/// What the engine needs to know about a namespace (the server fills it from the config file).
public struct NamespaceConfig: Sendable {
    public var name: String
    public var replicationFactor = 1
    /// Seconds; 0 = never expire.
    public var defaultTTL: UInt32 = 0
    /// Seconds between expiry sweeps; 0 = no expiry thread.
    public var nsupPeriod: UInt32 = 0
    public var allowTTLWithoutNsup = false
    /// Bytes of record data the namespace may hold.
    public var dataSize: Int = 4 << 30
    /// Writes stop when used data reaches this percent of `dataSize`.
    public var stopWritesUsedPct = 70
    /// Eviction starts when used data passes this percent of `dataSize` (0 = never evict).
    public var evictUsedPct = 0
    public var maxRecordSize: Int = 1 << 20
    public var defaultReadTouchTTLPct: UInt32 = 0
    public var maxTTL: UInt32 = 315_360_000

    /// Device storage: the file, its size, the write-block size, how often the current block is
    /// written, and whether every write reaches the file before it is acknowledged.
    public struct Device: Sendable {
        public var file: String
        public var fileSize: Int
        public var blockSize: Int
        public var flushMaxMs: Int
        public var commitToDevice: Bool
        public var defragLowWaterPct = 50
        public var defragSleepMs = 1000
        public init(file: String, fileSize: Int, blockSize: Int, flushMaxMs: Int, commitToDevice: Bool) {
            self.file = file; self.fileSize = fileSize; self.blockSize = blockSize
            self.flushMaxMs = flushMaxMs; self.commitToDevice = commitToDevice
        }
    }
    public var device: Device? = nil

    public init(name: String) { self.name = name }
}
