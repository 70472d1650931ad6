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
    /// A device namespace also stops writes when free blocks fall under this percent.
    public var stopWritesAvailPct = 5
    /// Eviction starts when used data passes this percent of `dataSize` (0 = never evict).
    public var evictUsedPct = 0
    public var maxRecordSize: Int = 1 << 20
    public var defaultReadTouchTTLPct: UInt32 = 0
    public var maxTTL: UInt32 = 315_360_000
    /// Sets whose records eviction never takes (set { disable-eviction true }).
    public var evictionDisabledSets: [String] = []

    /// Device storage: the file (or raw device), its size, and how the store behaves.
    public struct Device: Sendable {
        /// The files or raw devices, in config order (one run of blocks across them).
        public var files: [String]
        public var file: String { files[0] }
        /// Size of each file (raw devices are used whole).
        public var fileSize: Int
        public var store = DeviceStore.Options()
        public var flushMaxMs = 1000
        public var defragLowWaterPct = 50
        /// Microseconds defrag sleeps after each block it empties (defrag-sleep).
        public var defragSleepMicros = 1000
        public var directFiles = true
        /// Reads through the kernel's page cache (read-page-cache).
        public var readPageCache = false
        public init(file: String, fileSize: Int) { self.files = [file]; self.fileSize = fileSize }
        public init(files: [String], fileSize: Int) { self.files = files; self.fileSize = fileSize }
    }
    public var device: Device? = nil

    public init(name: String) { self.name = name }
}
