import Synchronization

/// Statistics and settings of one set.
public final class SetInfo: @unchecked Sendable {
    public let id: UInt16
    public let name: String
    public let nameBytes: [UInt8]
    /// The name in memory that lives as long as the set (expressions borrow it).
    let nameBuffer: UnsafeRawBufferPointer
    public let objects = Atomic<Int>(0)
    public let dataBytes = Atomic<Int>(0)
    /// Last truncate cut-off, ms since 2010 (0 = never truncated). Guarded by the namespace's truncate lock.
    public let truncateLUT = Atomic<UInt64>(0)
    init(id: UInt16, name: String) {
        self.id = id; self.name = name; self.nameBytes = Array(name.utf8)
        let p = UnsafeMutableRawBufferPointer.allocate(byteCount: max(nameBytes.count, 1), alignment: 1)
        nameBytes.withUnsafeBytes { p.copyMemory(from: $0) }
        nameBuffer = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(p)[0..<nameBytes.count])
    }
}

/// The sets of a namespace: ids are 1-based and never reused (0 = no set).
/// Append-only: entries are written under `lock`, then published by a release store of
/// `published`, so readers (every record write) look sets up without locking.
public final class SetTable: @unchecked Sendable {
    public static let maxSets = 4095
    private let lock = Lock()
    private let entries: UnsafeMutablePointer<SetInfo?>
    private let published = Atomic<Int>(0)
    /// Called (under the table's lock) for each set about to be created, so a device can
    /// record it first; a non-zero result code refuses the set.
    var onNewSet: ((_ id: UInt16, _ name: UnsafeRawBufferPointer) -> UInt8)?

    public init() {
        entries = .allocate(capacity: SetTable.maxSets)
        entries.initialize(repeating: nil, count: SetTable.maxSets)
    }
    deinit {
        entries.deinitialize(count: SetTable.maxSets)
        entries.deallocate()
    }

    public var all: [SetInfo] {
        let n = published.load(ordering: .acquiring)
        return (0..<n).map { entries[$0]! }
    }

    public func find(_ name: UnsafeRawBufferPointer) -> SetInfo? {
        let n = published.load(ordering: .acquiring)
        for i in 0..<n where name.equals(entries[i]!.nameBytes) { return entries[i] }
        return nil
    }
    public func find(name: String) -> SetInfo? {
        Array(name.utf8).withUnsafeBytes { find($0) }
    }
    @inline(__always) public func byID(_ id: UInt16) -> SetInfo? {
        let i = Int(id) - 1
        guard i >= 0, i < published.load(ordering: .acquiring) else { return nil }
        return entries[i]
    }
    /// Finds or creates; nil when the set limit is reached or the set could not be recorded.
    public func intern(_ name: UnsafeRawBufferPointer) -> SetInfo? { create(name).set }

    /// Finds or creates, telling why not: FORBIDDEN (22) past the set limit, or the device's
    /// result code when the set could not be recorded.
    public func create(_ name: UnsafeRawBufferPointer) -> (set: SetInfo?, rc: UInt8) {
        if let s = find(name) { return (s, 0) }
        return lock.withLock {
            if let s = find(name) { return (s, 0) }
            let n = published.load(ordering: .relaxed)
            guard n < SetTable.maxSets else { return (nil, 22) }
            if let record = onNewSet {
                let rc = record(UInt16(n + 1), name)
                if rc != 0 { return (nil, rc) }
            }
            return (publish(n, name), 0)
        }
    }

    /// Restores the sets a device recorded, each under the id it had (cold start, before
    /// anything is served). Ids are dense; a gap, which only a lost set entry could leave, gets
    /// a placeholder name so later ids still line up.
    func restore(_ byID: [UInt16: [UInt8]]) {
        lock.withLock {
            guard let highest = byID.keys.max(), highest > 0 else { return }
            let top = min(Int(highest), SetTable.maxSets)  // an id past the limit cannot be ours
            for id in 1...top where id > published.load(ordering: .relaxed) {
                let name = byID[UInt16(id)] ?? Array("__lost_set_\(id)".utf8)
                _ = name.withUnsafeBytes { publish(id - 1, $0) }
            }
        }
    }

    /// Caller holds the lock; `n` is the next index.
    private func publish(_ n: Int, _ name: UnsafeRawBufferPointer) -> SetInfo {
        let s = SetInfo(id: UInt16(n + 1), name: String(decoding: name, as: UTF8.self))
        entries[n] = s
        published.store(n + 1, ordering: .releasing)
        return s
    }
}
