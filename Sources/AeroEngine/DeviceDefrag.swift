#if canImport(Glibc)
import Glibc
#endif
import AeroWire
import CAeroSys

/// Defragmentation: a sealed block whose live bytes fall below `defrag-lwm-pct` of a block
/// is emptied by re-appending what still matters, then freed.
///
/// A record image is live when the index points at it. A tombstone is kept while its digest
/// is absent, unless its block is the oldest holding entries (no older image can be left for
/// it to hide). Order of safety: the moved entries reach the file before the old block's
/// header is cleared, so a crash at any point loses nothing (at worst an image replays twice).
extension DeviceStore {
    /// Sealed blocks on the file below the low-water mark, oldest first. The block with the
    /// highest sequence stays (even when sealed): freeing it could let a later block reuse
    /// its sequence after a restart.
    func defragCandidates(lowWaterPct: Int) -> [Int] {
        lock.withLock {
            let threshold = blockSize / 100 * lowWaterPct
            let newest = seqOf.max() ?? 0
            return (0..<blockCount).filter { i in
                seqOf[i] != 0 && seqOf[i] != newest && i != current?.index && (cached[i]?.onFile ?? true)
                    && aero_atomic_load(live + i) < threshold
            }.sorted { seqOf[$0] < seqOf[$1] }
        }
    }

    /// A block's bytes for defrag (from the cache, else the file), and its sequence.
    func loadBlock(_ i: Int, into buf: WriteBlock) -> UInt64? {
        lock.lock()
        if let b = cached[i] {
            memcpy(buf.buf, b.buf, blockSize)
            lock.unlock()
            return b.seq
        }
        lock.unlock()
        guard file.read(buf.buf, count: blockSize, at: i * blockSize),
              buf.buf.load(as: UInt64.self) == DeviceStore.magic else { return nil }
        return buf.buf.load(fromByteOffset: 8, as: UInt64.self)
    }

    /// Is this the oldest block still holding entries?
    func isOldest(_ i: Int) -> Bool {
        lock.withLock { !seqOf.contains { $0 != 0 && $0 < seqOf[i] } }
    }

    /// Frees a block: its header is cleared on the file, then it may be reused.
    func release(block i: Int) -> Bool {
        lock.withLock {
            guard seqOf[i] != 0 else { return false }  // freed already
            let zero = UnsafeMutableRawPointer.allocate(byteCount: DeviceStore.page, alignment: DeviceStore.page)
            defer { zero.deallocate() }
            memset(zero, 0, DeviceStore.page)
            guard file.write(zero, count: DeviceStore.page, at: i * blockSize), file.sync() else { return false }
            seqOf[i] = 0
            liveTotal.subtract(Int(aero_atomic_exchange(live + i, 0)), ordering: .relaxed)
            if let b = cached.removeValue(forKey: i) {
                cacheOrder.removeAll { $0 == i }
                spare.append(b)
            }
            free.insert(i, at: 0)  // reused last (popLast takes from the end)
            freeTotal.add(1, ordering: .relaxed)
            defragFreed += 1
            noteResidency()
            return true
        }
    }
}

extension Engine {
    /// One defrag pass over a device namespace; returns the blocks freed.
    @discardableResult
    public func defragment(_ ns: Namespace, lowWaterPct: Int, sleepMicros: Int = 0) -> Int {
        guard let store = ns.device else { return 0 }
        var freed = 0
        let buf = DeviceStore.WriteBlock(size: store.blockSize)
        for block in store.defragCandidates(lowWaterPct: lowWaterPct) {
            guard let seq = store.loadBlock(block, into: buf) else { continue }
            let oldest = store.isOldest(block)
            var ok = true
            _ = store.parseEntries(buf.buf, block: block, seq: seq) { e in
                guard ok else { return }
                let p = ns.partition(for: e.digest)
                switch e.kind {
                case .set:
                    ok = store.append(.set, e.digest, e.payload, defrag: true).isStored
                case .tombstone:
                    guard !oldest else { return }
                    p.lock.withLock {
                        if p.table.get(e.digest) == nil { ok = store.append(.tombstone, e.digest, e.payload, defrag: true).isStored }
                    }
                case .record, .compressedRecord:
                    p.lock.withLock {
                        guard let stub = p.table.get(e.digest), RecordStub.block(stub) == block,
                              RecordStub.offset(stub) == e.offset else { return }
                        guard case .stored(let nb, let no) = store.append(e.kind, e.digest, e.payload, defrag: true) else {
                            ok = false; return
                        }
                        RecordStub.place(stub, block: nb, offset: no, stored: e.payload.count,
                                         compressed: e.kind == .compressedRecord)
                    }
                }
            }
            // No room to move them, or the file refused a write: try again later.
            guard ok, store.flush(), store.release(block: block) else { break }
            freed += 1
            if sleepMicros > 0 { usleep(UInt32(sleepMicros)) }
        }
        return freed
    }

    /// The defrag thread: a pass every 100 ms (blocks are chosen from live-byte counts, so a
    /// pass that finds nothing reads nothing).
    public func startDefrag(isStopping: @escaping @Sendable () -> Bool) {
        for ns in namespaces {
            guard ns.device != nil, let cfg = ns.config.device else { continue }
            spawnThread(name: "defrag-\(ns.name)") { [self] in
                while !isStopping() {
                    usleep(100_000)
                    defragment(ns, lowWaterPct: cfg.defragLowWaterPct, sleepMicros: cfg.defragSleepMicros)
                }
            }
        }
    }
}

extension DeviceStore.Append {
    var isStored: Bool { if case .stored = self { return true } else { return false } }
    /// What a client is told when its write could not be appended.
    var resultCode: UInt8 {
        switch self {
        case .stored: return 0
        case .full: return ResultCode.outOfSpace
        case .overload: return ResultCode.deviceOverload
        case .ioError: return ResultCode.unknown
        case .tooBig: return ResultCode.recordTooBig
        }
    }
}
