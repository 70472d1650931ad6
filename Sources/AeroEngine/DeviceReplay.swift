#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import CAeroSys
import Synchronization

/// Cold start: every block is read once, in sequence order, so the newest image of each
/// record is visited last; the writer then continues after the newest block's last entry.
extension DeviceStore {
    /// One entry as replay and defrag see it: the payload points into a block buffer.
    public struct Entry {
        public var kind: Kind
        public var digest: Digest
        public var payload: UnsafeRawBufferPointer
        public var block: Int
        /// The payload's offset within its block.
        public var offset: Int
    }

    /// Replays every block in sequence order (each valid entry counted live in its block).
    /// The first append afterwards opens a new block.
    public func replay(_ visit: (Entry) -> Void) throws(PosixStorageFile.OpenError) {
        let scan = HeaderScan(file: file, blockSize: blockSize, blockCount: blockCount)
        defer { scan.seqs.deallocate() }
        if scan.unreadable.load(ordering: .relaxed) > 0 {
            throw PosixStorageFile.OpenError(description: "\(scan.unreadable.load(ordering: .relaxed)) block headers could not be read; "
                + "refusing to start rather than treat them as free")
        }
        if scan.foreign.load(ordering: .relaxed) > 0 {
            throw PosixStorageFile.OpenError(description: "\(scan.foreign.load(ordering: .relaxed)) blocks were written in another "
                + "format than this server's (version \(DeviceStore.formatVersion)); refusing to read or overwrite them")
        }
        var blocks: [(seq: UInt64, index: Int)] = []
        lock.lock()
        free.removeAll()
        for i in 0..<blockCount {
            if scan.seqs[i] != 0 { blocks.append((scan.seqs[i], i)) } else { free.append(i) }
        }
        lock.unlock()
        blocks.sort { $0.seq < $1.seq }
        let prefetch = BlockPrefetch(file: file, blockSize: blockSize, indexes: blocks.map(\.index))
        if !blocks.isEmpty { prefetch.fetch(0) }
        for (k, b) in blocks.enumerated() {
            // The next block is read off this thread while this one is parsed.
            let next = DispatchGroup()
            if k + 1 < blocks.count {
                next.enter()
                DispatchQueue.global().async { prefetch.fetch(k + 1); next.leave() }
            }
            guard prefetch.ok[k] else {
                next.wait()
                throw PosixStorageFile.OpenError(description: "block \(b.index) could not be read; refusing to start without its records")
            }
            var liveBytes = 0
            _ = parseEntries(prefetch.buffer(k), block: b.index, seq: b.seq) { e in
                liveBytes += DeviceStore.entryLength(payload: e.payload.count)
                visit(e)
            }
            lock.withLock {
                aero_atomic_add(live + b.index, Int64(liveBytes))
                seqOf[b.index] = b.seq
            }
            liveTotal.add(liveBytes, ordering: .relaxed)
            next.wait()
        }
        lock.withLock {
            // Writing resumes in a new block: the newest one may hold, past a torn write, pages
            // that did land, and appending after the tear could one day line up with them.
            if let last = blocks.last { sequence = last.seq }
            free.sort(by: >)  // take low block numbers first (popLast)
            freeTotal.store(free.count, ordering: .relaxed)
            noteResidency()
        }
    }

    /// Walks a block's entries (`block` holds the whole block) to the first zero, torn or
    /// stale one (checksum bound to `seq`). Returns where that is.
    func parseEntries(_ buf: UnsafeMutableRawPointer, block: Int, seq: UInt64, _ visit: (Entry) -> Void) -> Int {
        var at = DeviceStore.headerSize
        while at + DeviceStore.entryHeader <= blockSize {
            let len = Int(buf.load(fromByteOffset: at, as: UInt32.self))
            guard len >= DeviceStore.entryHeader, len & 7 == 0, at + len <= blockSize,
                  let kind = Kind(rawValue: buf.load(fromByteOffset: at + 4, as: UInt8.self)) else { break }
            let payloadLen = Int(buf.load(fromByteOffset: at + 28, as: UInt32.self))
            guard DeviceStore.entryLength(payload: payloadLen) == len,
                  DeviceStore.checksum(buf + at, seq: seq) == buf.load(fromByteOffset: at + 32, as: UInt32.self) else { break }
            let payload = UnsafeRawBufferPointer(start: buf + at + DeviceStore.entryHeader, count: payloadLen)
            let digest = Digest(UnsafeRawBufferPointer(start: buf + at + 8, count: 20))
            visit(Entry(kind: kind, digest: digest, payload: payload, block: block, offset: at + DeviceStore.entryHeader))
            at += len
        }
        return at
    }
}

/// Every block's header (one aligned page each), read with several reads in flight at once:
/// a device answers a queue of small reads far faster than one at a time. `seqs[i]` is block
/// i's sequence, 0 for a free block.
private final class HeaderScan: @unchecked Sendable {
    let seqs: UnsafeMutableBufferPointer<UInt64>
    /// Blocks with our magic but another format version, and blocks whose header read failed.
    let foreign = Atomic<Int>(0)
    let unreadable = Atomic<Int>(0)
    init(file: StorageFile, blockSize: Int, blockCount: Int) {
        let seqs = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: blockCount)
        self.seqs = seqs
        let lanes = min(8, blockCount)
        DispatchQueue.concurrentPerform(iterations: lanes) { [self] lane in
            let header = UnsafeMutableRawPointer.allocate(byteCount: DeviceStore.page, alignment: DeviceStore.page)
            defer { header.deallocate() }
            for i in stride(from: lane, to: blockCount, by: lanes) {
                let ok = file.read(header, count: DeviceStore.page, at: i * blockSize)
                if !ok { self.unreadable.add(1, ordering: .relaxed) }
                let ours = ok && header.load(as: UInt64.self) == DeviceStore.magic
                if ours && header.load(fromByteOffset: 20, as: UInt32.self) != DeviceStore.formatVersion {
                    self.foreign.add(1, ordering: .relaxed)
                }
                self.seqs[i] = ours ? max(1, header.load(fromByteOffset: 8, as: UInt64.self)) : 0
            }
        }
    }
}

/// Two block buffers for the replay: block k is read into one while k - 1 is parsed from the
/// other. `ok[k]` is written by the reading thread before its group leaves, read after the wait.
private final class BlockPrefetch: @unchecked Sendable {
    let file: StorageFile
    let blockSize: Int
    let indexes: [Int]
    let bufs: [DeviceStore.WriteBlock]
    let ok: UnsafeMutableBufferPointer<Bool>
    init(file: StorageFile, blockSize: Int, indexes: [Int]) {
        self.file = file; self.blockSize = blockSize; self.indexes = indexes
        bufs = [DeviceStore.WriteBlock(size: blockSize), DeviceStore.WriteBlock(size: blockSize)]
        ok = .allocate(capacity: indexes.count)
        ok.initialize(repeating: false)
    }
    deinit { ok.deallocate() }
    func buffer(_ k: Int) -> UnsafeMutableRawPointer { bufs[k & 1].buf }
    func fetch(_ k: Int) { ok[k] = file.read(buffer(k), count: blockSize, at: indexes[k] * blockSize) }
}
