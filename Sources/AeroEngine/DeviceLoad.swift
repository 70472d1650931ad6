#if canImport(Glibc)
import Glibc
#endif

extension Engine {
    /// Opens a device namespace's file and rebuilds its index from it (cold start): sets in the
    /// order first recorded (so set ids come back the same), then a stub for the newest image of
    /// each record, without the deleted ones and without records already expired.
    public func attachDevice(_ ns: Namespace) throws(PosixStorageFile.OpenError) {
        guard let cfg = ns.config.device else { return }
        let store: DeviceStore
        if cfg.files.count == 1 {
            store = try DeviceStore(path: cfg.file, fileSize: cfg.fileSize, options: cfg.store, directFiles: cfg.directFiles,
                                    readPageCache: cfg.readPageCache)
        } else {
            var members: [StorageFile] = [], sizes: [Int] = []
            for path in cfg.files {
                let f = try PosixStorageFile(path: path, size: cfg.fileSize, directFiles: cfg.directFiles,
                                             readPageCache: cfg.readPageCache)
                let usable = (f.deviceSize ?? cfg.fileSize) / cfg.store.blockSize * cfg.store.blockSize
                guard usable > 0 else {
                    throw PosixStorageFile.OpenError(description: "storage '\(path)' is smaller than one write block")
                }
                members.append(f); sizes.append(usable)
            }
            let whole = ConcatenatedFile(members: members, sizes: sizes)
            store = DeviceStore(file: whole, size: whole.size, options: cfg.store)
        }
        try attach(store, to: ns)
    }

    /// Rebuilds a namespace's index from a store and makes it the namespace's device.
    public func attach(_ store: DeviceStore, to ns: Namespace) throws(PosixStorageFile.OpenError) {
        // Counters are kept locally during the replay and applied once at the end.
        var objects = 0, bytes = 0
        var perSet = [Int](repeating: 0, count: SetTable.maxSets + 1), perSetBytes = perSet
        func count(_ r: RecordRef, _ sign: Int) {
            objects += sign; bytes += sign * r.size
            perSet[Int(r.setID)] += sign; perSetBytes[Int(r.setID)] += sign * r.size
        }
        func superseded(_ old: UnsafeMutableRawPointer) {
            count(RecordRef(old), -1)
            store.markDead(block: RecordStub.block(old), payload: RecordStub.stored(old))
            free(old)
        }
        var setNames: [UInt16: [UInt8]] = [:]
        var hidden: [Digest] = []
        let now = clock.nowSec()
        try store.replay { e in
            switch e.kind {
            case .set:
                guard e.payload.count > 2 else { return }
                setNames[e.payload.loadUnaligned(as: UInt16.self)] = Array(e.payload.slice(2, e.payload.count - 2))
            case .record, .compressedRecord:
                // The header is stored uncompressed either way; the stub needs nothing else.
                guard e.payload.count >= RecordRef.headerSize else { return }
                let size = Int(e.payload.load(as: UInt32.self))
                guard e.kind == .compressedRecord ? size >= RecordRef.headerSize : size == e.payload.count else { return }
                let p = ns.partition(for: e.digest)
                // An image that expired while the server was down hides older ones, as a
                // tombstone would, and is itself dead.
                if RecordRef(UnsafeMutableRawPointer(mutating: e.payload.baseAddress!)).isExpired(now: now) {
                    if let old = p.table.remove(e.digest) {
                        superseded(old)
                        // The older image must stay hidden once this one is defragged away.
                        hidden.append(e.digest)
                    }
                    store.markDead(block: e.block, payload: e.payload.count)
                    return
                }
                let stub = RecordStub.make(header: e.payload.baseAddress!, block: e.block, offset: e.offset,
                                           stored: e.payload.count, compressed: e.kind == .compressedRecord)
                if let old = p.table.put(e.digest, stub) { superseded(old) }
                count(RecordRef(stub), 1)
            case .tombstone:
                let p = ns.partition(for: e.digest)
                if let old = p.table.remove(e.digest) { superseded(old) }
            }
        }
        // Sets come back under the ids their records carry (defrag may have reordered their entries).
        ns.sets.restore(setNames)
        // Only digests still absent: a newer live image may have come later in the replay.
        var hide = Set<Digest>()
        for d in hidden where ns.partition(for: d).table.get(d) == nil { hide.insert(d) }
        if !hide.isEmpty {
            for d in hide {
                // No room: the older image stays hidden for this run; defrag keeps its block
                // until then, so it can only come back if this start is followed by a full device.
                guard case .stored = store.append(.tombstone, d, UnsafeRawBufferPointer(start: nil, count: 0), defrag: true) else { break }
            }
            guard store.flush() else { throw PosixStorageFile.OpenError(description: "cannot write to the storage") }
        }
        ns.objects.add(objects, ordering: .relaxed)
        ns.dataBytes.add(bytes, ordering: .relaxed)
        for id in 1..<perSet.count where perSet[id] != 0 || perSetBytes[id] != 0 {
            guard let s = ns.sets.byID(UInt16(id)) else { continue }
            s.objects.add(perSet[id], ordering: .relaxed)
            s.dataBytes.add(perSetBytes[id], ordering: .relaxed)
        }
        ns.device = store
        ns.sets.onNewSet = { [unowned store] id, name in
            var payload = [UInt8]()
            withUnsafeBytes(of: id) { payload.append(contentsOf: $0) }
            payload += name
            return payload.withUnsafeBytes { store.append(.set, Digest(w0: 0, w1: 0, w2: 0), $0).resultCode }
        }
    }

    /// Writes each device's sealed blocks as soon as they fill, and its current block every
    /// `flush-max-ms`.
    public func startFlushers(isStopping: @escaping @Sendable () -> Bool) {
        for ns in namespaces {
            guard let store = ns.device, let cfg = ns.config.device else { continue }
            let period = max(1, cfg.flushMaxMs)
            spawnThread(name: "flush-\(ns.name)") {
                while !isStopping() {
                    store.flusherWakeup.wait(ms: period)
                    store.flush()
                }
            }
        }
    }

    /// Clean shutdown: every device's blocks reach its file.
    public func flushDevices() {
        for ns in namespaces { ns.device?.flush() }
    }
}
