#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The expiry sweep ("nsup"): every `nsup-period` seconds of the engine's clock, removes
/// expired records from each namespace (one partition lock at a time), then evicts if the
/// namespace is past its eviction mark. The period runs on the same clock as TTLs, so a test
/// that moves the clock forward by a period gets a sweep at once instead of sleeping.
extension Engine {
    public func startExpiryThreads(isStopping: @escaping @Sendable () -> Bool) {
        for ns in namespaces where ns.config.nsupPeriod > 0 {
            let engine = self
            spawnThread(name: "nsup-\(ns.name)") {
                // A period has passed by the engine's clock (tests move it) or by the monotonic
                // clock (the wall clock may be stepped back).
                let periodMs = Int64(ns.config.nsupPeriod) * 1000
                var lastClock = engine.clock.nowMs(), lastMono = monotonicMs()
                while !isStopping() {
                    usleep(100_000)
                    let now = engine.clock.nowMs(), mono = monotonicMs()
                    if now >= lastClock + UInt64(periodMs) || mono - lastMono >= periodMs {
                        lastClock = now; lastMono = mono
                        _ = engine.expireRecords(ns)
                        _ = engine.evictRecords(ns)
                    }
                }
            }
        }
    }

    /// Eviction: while used bytes (memory, or live bytes on the device) are past
    /// `evict-used-pct` of capacity, the records nearest to expiry go first. Records that never
    /// expire, and records of sets with `disable-eviction`, are never evicted. Returns how many went.
    @discardableResult
    public func evictRecords(_ ns: Namespace) -> Int {
        let pct = ns.config.evictUsedPct
        guard pct > 0 else { return 0 }
        let limit = ns.capacityBytes / 100 * pct
        guard ns.usedBytes > limit else { return 0 }
        var protected = [Bool](repeating: false, count: SetTable.maxSets + 1)
        for name in ns.config.evictionDisabledSets {
            if let s = ns.sets.find(name: name) { protected[Int(s.id)] = true }
        }
        var candidates: [(void: UInt32, digest: Digest)] = []
        for p in ns.partitions {
            p.lock.withLock {
                p.table.forEach { d, entry in
                    let r = RecordRef(entry)  // the record or its stub: the header is all eviction reads
                    if r.voidTime != 0 && !protected[Int(r.setID)] { candidates.append((r.voidTime, d)) }
                }
            }
        }
        candidates.sort { $0.void < $1.void }
        var evicted = 0
        for c in candidates {
            guard ns.usedBytes > limit else { break }
            let p = ns.partition(for: c.digest)
            p.lock.withLock {
                guard let raw = p.table.get(c.digest), RecordRef(raw).voidTime == c.void else { return }
                if ns.dropRecord(p, c.digest) == 0 { evicted += 1 }
            }
        }
        ns.evictedObjects.add(evicted, ordering: .relaxed)
        return evicted
    }

    /// One sweep over a namespace; returns how many records expired.
    @discardableResult
    public func expireRecords(_ ns: Namespace) -> Int {
        var removed = 0
        var victims: [Digest] = []
        for p in ns.partitions {
            p.lock.lock()
            let now = clock.nowSec()
            victims.removeAll(keepingCapacity: true)
            p.table.forEach { d, raw in
                let r = RecordRef(raw)
                if r.isExpired(now: now) || ns.isTruncated(r) { victims.append(d) }
            }
            for d in victims {
                let expired = p.table.get(d).map { RecordRef($0).isExpired(now: now) } ?? false
                guard ns.dropRecord(p, d) == 0 else { continue }  // no room for the delete: next sweep
                removed += 1
                if expired { ns.expiredObjects.add(1, ordering: .relaxed) }
            }
            p.lock.unlock()
        }
        return removed
    }
}
