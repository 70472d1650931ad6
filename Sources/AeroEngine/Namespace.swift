import Synchronization
import AeroWire

/// A namespace: 4096 partitions of records, its sets and its counters.
public final class Namespace: @unchecked Sendable {
    public static let partitionCount = 4096

    public let config: NamespaceConfig
    public let name: String
    public let nameBytes: [UInt8]
    public let partitions: [Partition]
    public let sets = SetTable()
    public let sindexes = SIndexRegistry()
    /// The namespace's file, for a device namespace (set before the server serves).
    public internal(set) var device: DeviceStore?

    public let objects = Atomic<Int>(0)
    /// Bytes of record buffers held (the "data used" of a memory namespace).
    public let dataBytes = Atomic<Int>(0)
    public let expiredObjects = Atomic<Int>(0)
    public let evictedObjects = Atomic<Int>(0)
    /// Namespace-wide truncate cut-off (ms since 2010); records last updated before it are gone.
    public let truncateLUT = Atomic<UInt64>(0)
    public let stopWritesCount = Atomic<Int>(0)

    public init(config: NamespaceConfig) {
        self.config = config
        self.name = config.name
        self.nameBytes = Array(config.name.utf8)
        self.partitions = (0..<Namespace.partitionCount).map { Partition(id: $0) }
    }

    @inline(__always) public func partition(for d: Digest) -> Partition { partitions[d.partitionID] }

    /// Bytes the limits (stop-writes, eviction) measure: record data held in memory, or live
    /// bytes on the device; and what they are a percentage of.
    public var usedBytes: Int { device?.liveBytes ?? dataBytes.load(ordering: .relaxed) }
    public var capacityBytes: Int { device?.totalBytes ?? config.dataSize }
    /// Writes stop at `stop-writes-used-pct` of capacity, and on a device also when free
    /// blocks fall under `stop-writes-avail-pct`.
    public var isStopWrites: Bool {
        if usedBytes >= capacityBytes / 100 * config.stopWritesUsedPct { return true }
        if let dev = device, dev.availablePct < config.stopWritesAvailPct { return true }
        return false
    }

    /// Index bytes across partitions (takes each partition lock briefly).
    public func indexBytes() -> Int {
        var total = 0
        for p in partitions { p.lock.withLock { total += p.table.indexBytes } }
        return total
    }

    /// Accounting for a record entering or leaving the namespace. Caller holds the partition lock.
    @inline(__always) func account(_ r: RecordRef, sign: Int) {
        objects.add(sign, ordering: .relaxed)
        dataBytes.add(sign * r.size, ordering: .relaxed)
        if let s = sets.byID(r.setID) {
            s.objects.add(sign, ordering: .relaxed)
            s.dataBytes.add(sign * r.size, ordering: .relaxed)
        }
    }

    /// Drops a record from the index (a device namespace first appends a tombstone, so the
    /// delete survives a restart) and frees it. A result code, with nothing changed, when the
    /// tombstone could not be written. `known` is the record's image when the caller has it.
    /// Caller holds the partition lock.
    @discardableResult
    func dropRecord(_ p: Partition, _ d: Digest, image known: RecordRef? = nil) -> UInt8 {
        guard let entry = p.table.get(d) else { return 0 }
        if let dev = device {
            let rc = dev.append(.tombstone, d, UnsafeRawBufferPointer(start: nil, count: 0), mayUseReserve: true).resultCode
            if rc != 0 { return rc }
        }
        p.table.remove(d)
        account(RecordRef(entry), sign: -1)
        if sindexes.count.load(ordering: .relaxed) > 0, let old = known ?? image(entry, d) {
            indexRecord(old: old, new: nil, d)
        }
        retire(entry)
        return 0
    }

    /// Is this record hidden by a truncate?
    @inline(__always) func isTruncated(_ r: RecordRef) -> Bool {
        let lut = r.lastUpdateMs
        if lut < truncateLUT.load(ordering: .relaxed) { return true }
        if r.setID != 0, let s = sets.byID(r.setID), lut < s.truncateLUT.load(ordering: .relaxed) { return true }
        return false
    }

    /// Looks up a live record: expired or truncated ("doomed") records are removed on the way
    /// and reported absent. Caller holds the partition lock.
    @inline(__always) func liveRecord(_ p: Partition, _ d: Digest, now: UInt32) -> RecordRef? {
        lookup(p, d, now: now).live
    }

    /// Like `liveRecord`, but also tells the generation and void time of a doomed record,
    /// which the real server still reports in a read's NOT_FOUND reply.
    /// `readFailed`: the record is there but its image could not be read from the device.
    @inline(__always) func lookup(_ p: Partition, _ d: Digest, now: UInt32)
        -> (live: RecordRef?, doomedGeneration: UInt32, doomedVoidTime: UInt32, readFailed: Bool) {
        guard let entry = p.table.get(d) else { return (nil, 0, 0, false) }
        let r = RecordRef(entry)  // the record, or a device stub: same header
        let expired = r.isExpired(now: now)
        if expired || isTruncated(r) {
            let g = UInt32(r.generation), v = r.voidTime
            if dropRecord(p, d) == 0 && expired { expiredObjects.add(1, ordering: .relaxed) }
            return (nil, g, v, false)
        }
        guard let img = image(entry, d) else { return (nil, 0, 0, true) }
        return (img, 0, 0, false)
    }
}

#if canImport(Glibc)
import Glibc
#endif
