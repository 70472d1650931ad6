import AeroWire
import Synchronization

extension Engine {
    public enum TruncateError: Error {
        /// The cut-off lies in the future.
        case future
        /// The cut-off could not be made durable, or the set could not be recorded: nothing was truncated.
        case storage
    }

    /// Truncates a set (or the whole namespace when `set` is nil): records last updated
    /// before `lutUnixNanos` (default: now) are gone at once, and their memory is freed now.
    public func truncate(_ ns: Namespace, set: String?, lutUnixNanos: UInt64?) throws(TruncateError) {
        let nowMs = clock.nowMs()
        var cutoff = nowMs
        if let nanos = lutUnixNanos {
            let unixMs = nanos / 1_000_000
            let epochMs = UInt64(citrusleafEpoch) * 1000
            cutoff = unixMs > epochMs ? unixMs - epochMs : 0
            if cutoff > nowMs { throw .future }
        }
        // The cut-off that moves: the set's (a set that doesn't exist yet still gets one) or
        // the namespace's.
        var info: SetInfo? = nil
        if let set {
            guard let s = Array(set.utf8).withUnsafeBytes({ ns.sets.intern($0) }) else { throw .storage }
            info = s
        }
        func lut() -> UInt64 { info?.truncateLUT.load(ordering: .relaxed) ?? ns.truncateLUT.load(ordering: .relaxed) }
        func setLUT(_ v: UInt64) {
            if let info { info.truncateLUT.store(v, ordering: .relaxed) } else { ns.truncateLUT.store(v, ordering: .relaxed) }
        }
        let setID = info?.id
        // The cut-off is durable before anything is dropped; if it cannot be, nothing changes.
        // One lock over set, save and roll-back, so truncates at once never undo each other.
        let saved = truncateSaveLock.withLock { () -> Bool in
            let before = lut()
            if cutoff > before { setLUT(cutoff) }
            if writeTruncateCutoffs() { return true }
            setLUT(before)
            return false
        }
        guard saved else { throw .storage }
        var victims: [Digest] = []
        for p in ns.partitions {
            p.lock.lock()
            victims.removeAll(keepingCapacity: true)
            p.table.forEach { d, raw in
                let r = RecordRef(raw)
                if let id = setID, r.setID != id { return }
                if r.lastUpdateMs < cutoff { victims.append(d) }
            }
            for d in victims { ns.dropRecord(p, d) }
            p.lock.unlock()
        }
    }
}
