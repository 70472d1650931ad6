#if canImport(Glibc)
import Glibc
#endif
import CAeroSys

/// Defragmentation: a block whose live bytes fall below `defrag-lwm-pct` is emptied by
/// re-appending what still matters, then freed.
///
/// An entry is live when it is the image the index holds now (same generation and
/// last-update time), or a tombstone for a digest that is still absent (dropping it could let
/// an older image in an older block come back at cold start). Order of safety: the live
/// entries are appended and the current block written *before* the old block's header is
/// cleared, so a crash at any point loses nothing (at worst a record is replayed twice).
extension DeviceStore {
    /// Sealed blocks (not the current one), oldest first.
    func sealedBlocks() -> [(index: Int, seq: UInt64)] {
        lock.withLock {
            var out: [(Int, UInt64)] = []
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 4096)
            defer { scratch.deallocate() }
            for i in 0..<blockCount where i != current && !free.contains(i) {
                let n = direct ? 4096 : DeviceStore.headerSize
                guard aero_pread_all(fd, scratch, n, Int64(i * blockSize)) == 0,
                      scratch.load(as: UInt64.self) == DeviceStore.magic else { continue }
                out.append((i, scratch.load(fromByteOffset: 8, as: UInt64.self)))
            }
            return out.sorted { $0.1 < $1.1 }
        }
    }

    /// Reads a sealed block's entries.
    func entries(ofBlock i: Int, _ visit: (Kind, Digest, UnsafeRawBufferPointer) -> Void) {
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 4096)
        defer { scratch.deallocate() }
        guard aero_pread_all(fd, scratch, blockSize, Int64(i * blockSize)) == 0,
              scratch.load(as: UInt64.self) == DeviceStore.magic else { return }
        _ = parseEntries(scratch, seq: scratch.load(fromByteOffset: 8, as: UInt64.self), visit)
    }

    /// Marks a block free: its header is cleared on the file, then it may be reused.
    func release(block i: Int) {
        lock.withLock {
            let zero = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
            memset(zero, 0, 4096)
            if aero_pwrite_all(fd, zero, 4096, Int64(i * blockSize)) == 0 {
                if !direct { fdatasync(fd) }
                free.insert(i, at: 0)  // reused last (popLast takes from the end)
                defragFreed += 1
            }
            zero.deallocate()
        }
    }

    /// Bytes ever rewritten by defrag (write amplification), and blocks freed.
    var defragStats: (rewritten: Int, freed: Int) { lock.withLock { (defragRewritten, defragFreed) } }
}

extension Engine {
    /// One defrag pass over a device namespace; returns the blocks freed.
    @discardableResult
    public func defragment(_ ns: Namespace, lowWaterPct: Int) -> Int {
        guard let store = ns.device else { return 0 }
        var freed = 0
        for (block, _) in store.sealedBlocks() {
            // Measure live bytes.
            var total = 0, live = 0
            store.entries(ofBlock: block) { kind, d, payload in
                total += payload.count + DeviceStore.entryHeader
                if isLive(ns, kind, d, payload) { live += payload.count + DeviceStore.entryHeader }
            }
            guard total == 0 || live * 100 < total * lowWaterPct else { continue }
            // Rewrite what is live, as it is now, under each record's partition lock.
            var ok = true
            store.entries(ofBlock: block) { kind, d, payload in
                guard ok else { return }
                let p = ns.partition(for: d)
                p.lock.withLock {
                    guard isLive(ns, kind, d, payload) else { return }
                    switch kind {
                    case .record:
                        guard let raw = p.table.get(d) else { return }
                        ok = store.append(.record, d, UnsafeRawBufferPointer(start: raw, count: RecordRef(raw).size))
                    case .tombstone, .set:
                        ok = store.append(kind, d, payload)
                    }
                    if ok { store.countRewrite(payload.count + DeviceStore.entryHeader) }
                }
            }
            guard ok else { break }      // no room to move them: try again later
            store.flush()                // the moved entries are on the file first...
            store.release(block: block)  // ...then the old block goes
            freed += 1
        }
        return freed
    }

    /// Is this entry what cold start needs to keep?
    private func isLive(_ ns: Namespace, _ kind: DeviceStore.Kind, _ d: Digest, _ payload: UnsafeRawBufferPointer) -> Bool {
        switch kind {
        case .set:
            return true  // a handful of bytes; set ids must survive
        case .tombstone:
            return ns.partition(for: d).table.get(d) == nil
        case .record:
            guard payload.count >= RecordRef.headerSize, let raw = ns.partition(for: d).table.get(d) else { return false }
            let now = RecordRef(raw)
            let then = RecordRef(UnsafeMutableRawPointer(mutating: payload.baseAddress!))
            return now.generation == then.generation && now.lastUpdateMs == then.lastUpdateMs
        }
    }

    /// The defrag thread: a pass every second, and at once when a quarter or fewer of the
    /// blocks are free.
    public func startDefrag(isStopping: @escaping @Sendable () -> Bool) {
        for ns in namespaces {
            guard let store = ns.device, let cfg = ns.config.device else { continue }
            spawnThread(name: "defrag-\(ns.name)") { [self] in
                var last = monotonicMs()
                while !isStopping() {
                    usleep(20_000)
                    let low = store.freeBlocks * 4 <= store.totalBlocks
                    if low || monotonicMs() - last >= 1000 {
                        defragment(ns, lowWaterPct: cfg.defragLowWaterPct)
                        last = monotonicMs()
                    }
                }
            }
        }
    }
}
