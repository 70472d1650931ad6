import Synchronization

/// One secondary index: its definition and its ordered (bval, digest) entries.
/// `lock` guards `entries`; writers hold their partition lock first (partition → index).
public final class SIndex: @unchecked Sendable {
    public let def: SIndexDef
    let binName: [UInt8]
    let setID: UInt16?            // nil = every record of the namespace
    let lock = Lock()
    var entries = OrderedIndex()  // guarded by lock
    /// Records with at least one entry (for entries_per_rec).
    let records = Atomic<Int>(0)
    /// 0...100 while the initial build runs; queries wait for 100.
    let loadPct = Atomic<Int>(0)
    let loadTimeMs = Atomic<Int64>(0)
    let dropped = Atomic<Bool>(false)

    init(def: SIndexDef, setID: UInt16?) {
        self.def = def
        self.binName = Array(def.bin.utf8)
        self.setID = setID
    }

    public var isReady: Bool { loadPct.load(ordering: .acquiring) == 100 }

    /// Does this index look at records of this set?
    @inline(__always) func covers(_ r: RecordRef) -> Bool {
        guard let s = setID else { return true }
        return r.setID == s
    }

    /// Adds (sign 1) or removes (sign -1) a record's entries. Caller holds the partition lock.
    func update(_ r: RecordRef, _ d: Digest, sign: Int, scratch: inout [Int64]) {
        guard covers(r) else { return }
        SIndexValues.bvals(def, r, binName: binName, into: &scratch)
        guard !scratch.isEmpty else { return }
        lock.lock()
        for b in scratch {
            if sign > 0 { entries.insert(IndexKey(bval: b, digest: d)) } else { entries.remove(IndexKey(bval: b, digest: d)) }
        }
        lock.unlock()
        records.add(sign, ordering: .relaxed)
    }

    /// A record changed from `old` to `new` (either may be absent): only the entries that
    /// differ are touched, under one lock acquisition — an overwrite that leaves the indexed
    /// bin alone costs two value extractions and no index work.
    func replace(old: RecordRef?, new: RecordRef?, _ d: Digest, was: inout [Int64], now: inout [Int64]) {
        was.removeAll(keepingCapacity: true)
        now.removeAll(keepingCapacity: true)
        if let old, covers(old) { SIndexValues.bvals(def, old, binName: binName, into: &was) }
        if let new, covers(new) { SIndexValues.bvals(def, new, binName: binName, into: &now) }
        if was == now { return }
        // Both are sorted and distinct: walk them together.
        lock.lock()
        var i = 0, j = 0
        while i < was.count || j < now.count {
            if j == now.count || (i < was.count && was[i] < now[j]) {
                entries.remove(IndexKey(bval: was[i], digest: d)); i += 1
            } else if i == was.count || now[j] < was[i] {
                entries.insert(IndexKey(bval: now[j], digest: d)); j += 1
            } else {
                i += 1; j += 1
            }
        }
        lock.unlock()
        let delta = (now.isEmpty ? 0 : 1) - (was.isEmpty ? 0 : 1)
        if delta != 0 { records.add(delta, ordering: .relaxed) }
    }

    /// `sindex-stat` value.
    public func stat() -> String {
        var n = 0, bytes = 0, distinct = 0
        lock.withLock {
            n = entries.count
            bytes = entries.memoryBytes
            var last: Int64? = nil
            entries.forEach(bvalFrom: .min, to: .max, after: nil) { k in
                if k.bval != last { distinct += 1; last = k.bval }
                return true
            }
        }
        let recs = max(records.load(ordering: .relaxed), 0)
        // Averages, rounded, as the real server reports them.
        let perRec = recs > 0 ? (n + recs / 2) / recs : 0
        let perBval = distinct > 0 ? (n + distinct / 2) / distinct : 0
        return "entries=\(n);used_bytes=\(bytes);entries_per_bval=\(perBval);entries_per_rec=\(perRec)"
            + ";load_pct=\(loadPct.load(ordering: .relaxed));load_time=\(loadTimeMs.load(ordering: .relaxed));stat_gc_recs=0"
    }

    /// One `sindex-list` entry.
    public var listing: String {
        let state = isReady ? "RW" : "WO"
        return "ns=\(def.ns):indexname=\(def.name):set=\(def.set ?? "NULL"):bin=\(def.bin):type=\(def.type.rawValue)"
            + ":indextype=\(def.collection.rawValue):context=\(def.contextBase64 ?? "null"):exp=null:state=\(state)"
    }
}
