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
        var loaded = 0
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
                if let old = p.table.put(digest, raw) { ns.account(RecordRef(old), sign: -1); free(old) }
                ns.account(RecordRef(raw), sign: 1)
                loaded += 1
            case .tombstone:
                let p = ns.partition(for: digest)
                if let old = p.table.remove(digest) { ns.account(RecordRef(old), sign: -1); free(old) }
            }
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
        _ = loaded
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
