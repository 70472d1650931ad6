#if canImport(Glibc)
import Glibc
#endif

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
    public func replay(_ visit: (Entry) -> Void) {
        var blocks: [(seq: UInt64, index: Int)] = []
        let header = UnsafeMutableRawPointer.allocate(byteCount: DeviceStore.page, alignment: DeviceStore.page)
        defer { header.deallocate() }
        lock.lock()
        free.removeAll()
        for i in 0..<blockCount {
            // Just the header: one aligned page.
            if file.read(header, count: DeviceStore.page, at: i * blockSize), header.load(as: UInt64.self) == DeviceStore.magic {
                blocks.append((header.load(fromByteOffset: 8, as: UInt64.self), i))
            } else {
                free.append(i)
            }
        }
        lock.unlock()
        blocks.sort { $0.seq < $1.seq }
        let scratch = WriteBlock(size: blockSize)
        for b in blocks {
            guard file.read(scratch.buf, count: blockSize, at: b.index * blockSize) else { continue }
            var liveBytes = 0
            _ = parseEntries(scratch.buf, block: b.index, seq: b.seq) { e in
                liveBytes += DeviceStore.entryLength(payload: e.payload.count)
                visit(e)
            }
            lock.withLock {
                live[b.index] += liveBytes
                seqOf[b.index] = b.seq
            }
            liveTotal.add(liveBytes, ordering: .relaxed)
        }
        lock.withLock {
            // Writing resumes in a new block: the newest one may hold, past a torn write, pages
            // that did land, and appending after the tear could one day line up with them.
            if let last = blocks.last { sequence = last.seq }
            free.sort(by: >)  // take low block numbers first (popLast)
            freeTotal.store(free.count, ordering: .relaxed)
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
