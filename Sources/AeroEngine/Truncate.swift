import AeroWire

extension Engine {
    public enum TruncateError: Error { case future }

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
        var setID: UInt16? = nil
        if let set {
            // Truncating a set that doesn't exist yet still records the cut-off for it.
            guard let info = Array(set.utf8).withUnsafeBytes({ ns.sets.intern($0) }) else { return }
            if cutoff > info.truncateLUT.load(ordering: .relaxed) { info.truncateLUT.store(cutoff, ordering: .relaxed) }
            setID = info.id
        } else if cutoff > ns.truncateLUT.load(ordering: .relaxed) {
            ns.truncateLUT.store(cutoff, ordering: .relaxed)
        }
        // The cut-off is durable before anything is dropped.
        saveTruncateCutoffs()
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
