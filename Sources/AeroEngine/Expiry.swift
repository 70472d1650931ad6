#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The expiry sweep ("nsup"): every `nsup-period` seconds, removes expired records from
/// each namespace, one partition lock at a time.
extension Engine {
    public func startExpiryThreads(isStopping: @escaping @Sendable () -> Bool) {
        for ns in namespaces where ns.config.nsupPeriod > 0 {
            let engine = self
            spawnThread(name: "nsup-\(ns.name)") {
                var lastRun = monotonicMs()
                while !isStopping() {
                    usleep(100_000)
                    let now = monotonicMs()
                    if now - lastRun >= Int64(ns.config.nsupPeriod) * 1000 {
                        lastRun = now
                        _ = engine.expireRecords(ns)
                    }
                }
            }
        }
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
                if let raw = p.table.get(d), RecordRef(raw).isExpired(now: now) {
                    ns.expiredObjects.add(1, ordering: .relaxed)
                }
                ns.dropRecord(p, d)
            }
            removed += victims.count
            p.lock.unlock()
        }
        return removed
    }
}
