#if canImport(Glibc)
import Glibc
#endif

extension Engine {
    /// Opens a device namespace's file and rebuilds the namespace from it (cold start):
    /// sets first recorded first (so set ids come back the same), then the newest image of
    /// each record, without the deleted ones and without records already expired.
    public func attachDevice(_ ns: Namespace) throws(DeviceStore.OpenError) {
        guard let cfg = ns.config.device else { return }
        let store = try DeviceStore(path: cfg.file, fileSize: cfg.fileSize, blockSize: cfg.blockSize,
                                    commitToDevice: cfg.commitToDevice)
        // Counters are kept locally during the replay and applied once at the end.
        var objects = 0, bytes = 0
        var perSet = [Int](repeating: 0, count: SetTable.maxSets + 1), perSetBytes = perSet
        func count(_ r: RecordRef, _ sign: Int) {
            objects += sign; bytes += sign * r.size
            perSet[Int(r.setID)] += sign; perSetBytes[Int(r.setID)] += sign * r.size
        }
        store.replay { kind, digest, payload in
            switch kind {
            case .set:
                guard payload.count > 2 else { return }
                _ = ns.sets.intern(payload.slice(2, payload.count - 2))
            case .record:
                guard payload.count >= RecordRef.headerSize,
                      Int(payload.load(as: UInt32.self)) == payload.count else { return }
                let raw = malloc(payload.count)!
                memcpy(raw, payload.baseAddress!, payload.count)
                let p = ns.partition(for: digest)
                if let old = p.table.put(digest, raw) { count(RecordRef(old), -1); free(old) }
                count(RecordRef(raw), 1)
            case .tombstone:
                let p = ns.partition(for: digest)
                if let old = p.table.remove(digest) { count(RecordRef(old), -1); free(old) }
            }
        }
        ns.objects.add(objects, ordering: .relaxed)
        ns.dataBytes.add(bytes, ordering: .relaxed)
        for id in 1..<perSet.count where perSet[id] != 0 || perSetBytes[id] != 0 {
            guard let s = ns.sets.byID(UInt16(id)) else { continue }
            s.objects.add(perSet[id], ordering: .relaxed)
            s.dataBytes.add(perSetBytes[id], ordering: .relaxed)
        }
        // Records that expired while the server was down go now.
        expireRecords(ns)
        ns.sets.onNewSet = { [unowned store] s in
            var payload = [UInt8]()
            withUnsafeBytes(of: s.id) { payload.append(contentsOf: $0) }
            payload += s.nameBytes
            payload.withUnsafeBytes { _ = store.append(.set, Digest(w0: 0, w1: 0, w2: 0), $0) }
        }
        ns.device = store
    }

    /// Writes each device's current block every `flush-max-ms`.
    public func startFlushers(isStopping: @escaping @Sendable () -> Bool) {
        for ns in namespaces {
            guard let store = ns.device, let cfg = ns.config.device, !cfg.commitToDevice else { continue }
            let period = UInt32(max(1, cfg.flushMaxMs)) * 1000
            spawnThread(name: "flush-\(ns.name)") {
                while !isStopping() {
                    usleep(period)
                    store.flush()
                }
            }
        }
    }

    /// Clean shutdown: every device's current block reaches its file.
    public func flushDevices() {
        for ns in namespaces { ns.device?.flush() }
    }
}
