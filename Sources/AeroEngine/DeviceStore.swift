#if canImport(Glibc)
import Glibc
#endif
import CAeroSys
import Synchronization

/// A log-structured device: fixed-size write blocks, each a header then entries appended in
/// order. Every record image and every delete (tombstone) is appended to the current block
/// in memory; the flusher writes it (O_DIRECT where the file system allows it) every
/// `flush-max-ms` and when it fills, and `commit-to-device` writes before acknowledging.
/// Sealed blocks stay in memory as the post-write cache; reads of anything else go to the file.
///
///   block:  u64 magic "AEROLBLK" | u64 sequence | u32 used bytes | u32 format version | pad to 64
///   entry:  u32 length (whole entry, 8-aligned) | u8 kind | 3 pad | 20 digest | u32 payload length
///           | u32 checksum | 4 pad | payload
///           kind 1 = record (payload: the record buffer), 2 = tombstone, 3 = set (u16 id, name),
///           4 = LZ4-compressed record (the record's 24-byte header as is, then its rest compressed)
///
/// The checksum (CRC-32C) covers the entry and its block's sequence number, so entries left on
/// the file from a block's earlier life never pass for live ones; replay of a block stops at
/// the first zero, torn or stale entry. Only the 4 KiB pages of a block that changed since its
/// last write go to the file.
public final class DeviceStore: @unchecked Sendable {
    public static let magic: UInt64 = 0x4B4C_424C_4F52_4541  // "AEROLBLK" little-endian
    static let headerSize = 64
    /// Bumped whenever the layout of blocks or entries changes; a file of another version is
    /// refused at start rather than read wrongly.
    public static let formatVersion: UInt32 = 2
    static let entryHeader = 40
    static let page = 4096

    public enum Kind: UInt8 { case record = 1, tombstone = 2, set = 3, compressedRecord = 4 }

    /// Where an append landed, or why it did not.
    public enum Append: Equatable {
        case stored(block: Int, offset: Int)
        /// No free block (OUT_OF_SPACE, 8).
        case full
        /// Too many sealed blocks still waiting for the flusher (DEVICE_OVERLOAD, 18).
        case overload
        /// The file refused a commit-to-device write; nothing was kept (UNKNOWN, 1).
        case ioError
        /// The entry cannot fit in a write block (RECORD_TOO_BIG, 13).
        case tooBig
    }

    /// One write block's buffer in memory: the current block, or a sealed one in the cache.
    final class WriteBlock {
        let buf: UnsafeMutableRawPointer
        var index = -1
        var seq: UInt64 = 0
        var used = 0
        /// Bytes of this block already on the file.
        var flushedTo = 0
        init(size: Int) { buf = .allocate(byteCount: size, alignment: DeviceStore.page) }
        deinit { buf.deallocate() }
        var onFile: Bool { flushedTo >= used }
    }

    public struct Options: Sendable {
        public var blockSize = 1 << 20
        public var commitToDevice = false
        /// Bytes of sealed blocks kept in memory for reads (post-write-cache).
        public var postWriteCache = 0
        /// Bytes of sealed blocks allowed to wait for the flusher (max-write-cache).
        public var maxWriteCache = 64 << 20
        public var compress = false
        public var compressionLevel = 1
        public init() {}
    }

    let file: StorageFile
    let blockSize: Int
    let blockCount: Int
    let options: Options
    let cacheBlocks: Int
    let pendingLimit: Int
    let lock = Lock()
    // Guarded by lock:
    var current: WriteBlock?
    /// Sealed blocks still in memory, by block index (post-write cache and pending writes).
    var cached: [Int: WriteBlock] = [:]
    /// Their order of sealing (oldest first).
    var cacheOrder: [Int] = []
    var spare: [WriteBlock] = []
    var sequence: UInt64 = 0
    var free: [Int] = []
    /// Per block: live bytes (entries the index or cold start still needs; atomic, so a
    /// record's old image can be let go without the lock), and sequence (0 = free, under the lock).
    let live: UnsafeMutablePointer<Int64>
    var seqOf: [UInt64]
    /// A block sealed after a refused commit write, whose end is not yet cleared on the file.
    var unscrubbed: WriteBlock?
    var userBytes = 0
    var defragRewritten = 0
    var defragFreed = 0
    /// Sums of `live` and of free blocks, readable without the lock (for stop-writes checks).
    let liveTotal = Atomic<Int>(0)
    let freeTotal = Atomic<Int>(0)
    /// Whether some block holding entries is neither current nor cached, so a read may go to
    /// the file (and a request should leave the event loop to make it).
    let fileReadsPossible = Atomic<Bool>(false)
    /// Free blocks client writes leave to defrag, so it can always make room.
    let defragReserve: Int
    /// Per block: 1 while its bytes are in memory (current or cached), readable without the lock.
    let resident: UnsafeMutablePointer<Int64>
    /// Signalled when a block is sealed, so the flusher writes it without waiting out its period.
    let flusherWakeup = Wakeup()
    /// Held by one `flush` at a time (taken before `lock`, never while holding it).
    let flushLock = Lock()

    deinit { live.deallocate(); resident.deallocate() }

    public init(file: StorageFile, size: Int, options: Options) {
        self.file = file
        self.options = options
        blockSize = options.blockSize
        blockCount = max(2, size / options.blockSize)
        cacheBlocks = options.postWriteCache / options.blockSize
        pendingLimit = max(2, options.maxWriteCache / options.blockSize)
        // Client writes leave `defragReserve` blocks free; deletes may use all but the last of
        // them (they make room only once defrag runs, which needs a block of its own).
        defragReserve = blockCount >= 16 ? 2 : blockCount >= 8 ? 1 : 0
        live = .allocate(capacity: blockCount)
        live.initialize(repeating: 0, count: blockCount)
        resident = .allocate(capacity: blockCount)
        resident.initialize(repeating: 0, count: blockCount)
        seqOf = [UInt64](repeating: 0, count: blockCount)
        free = Array((0..<blockCount).reversed())  // until `replay` reads what the file holds
        freeTotal.store(blockCount, ordering: .relaxed)
    }

    /// Opens a file or raw device path.
    public convenience init(path: String, fileSize: Int, options: Options, directFiles: Bool = true,
                            readPageCache: Bool = false) throws(PosixStorageFile.OpenError) {
        let f = try PosixStorageFile(path: path, size: fileSize, directFiles: directFiles, readPageCache: readPageCache)
        self.init(file: f, size: f.deviceSize ?? fileSize, options: options)
    }

    @inline(__always) static func entryLength(payload: Int) -> Int { (entryHeader + payload + 7) & ~7 }

    // MARK: writing

    /// Appends an entry to the current block; tells where it went (the payload's offset).
    /// `defrag`: the entry is defrag's (counted apart) and may use the block kept for defrag;
    /// `mayUseReserve`: a delete's tombstone may use it too (deletes make room, so a full
    /// device can always take them).
    public func append(_ kind: Kind, _ digest: Digest, _ payload: UnsafeRawBufferPointer, defrag: Bool = false,
                       mayUseReserve: Bool = false) -> Append {
        let len = DeviceStore.entryLength(payload: payload.count)
        guard len <= blockSize - DeviceStore.headerSize else { return .tooBig }
        lock.lock(); defer { lock.unlock() }
        if !scrub() { return .ioError }
        if current == nil || current!.used + len > blockSize {
            let reserve = defrag ? 0 : mayUseReserve ? max(0, defragReserve - 1) : defragReserve
            if let refused = startBlock(reserve: reserve) { return refused }
        }
        let b = current!
        let at = b.used
        let p = b.buf + at
        memset(p, 0, len)
        p.storeBytes(of: UInt32(len), as: UInt32.self)
        p.storeBytes(of: kind.rawValue, toByteOffset: 4, as: UInt8.self)
        digest.write(to: p + 8)
        p.storeBytes(of: UInt32(payload.count), toByteOffset: 28, as: UInt32.self)
        if payload.count > 0 { memcpy(p + DeviceStore.entryHeader, payload.baseAddress!, payload.count) }
        p.storeBytes(of: DeviceStore.checksum(p, seq: b.seq), toByteOffset: 32, as: UInt32.self)
        b.used += len
        b.buf.storeBytes(of: UInt32(b.used), toByteOffset: 16, as: UInt32.self)
        if options.commitToDevice && !writeCurrent() {
            // Not acknowledged, so it must never replay: take it back, and clear its start on
            // the file (some or all of it may have landed) by writing the block's page there
            // again. The block is sealed at that point, so nothing is ever appended after
            // bytes that may still hold the rest of the entry.
            b.used = at
            b.buf.storeBytes(of: UInt32(at), toByteOffset: 16, as: UInt32.self)
            memset(p, 0, len)
            scrubAndSeal(b)
            return .ioError
        }
        aero_atomic_add(live + b.index, Int64(len))
        liveTotal.add(len, ordering: .relaxed)
        if defrag { defragRewritten += len } else { userBytes += len }
        return .stored(block: b.index, offset: at + DeviceStore.entryHeader)
    }

    /// After a refused commit write: seals the block where it ends now and writes its last
    /// page again (zeros from the end). Until that write succeeds, every append first retries
    /// it and is refused while it fails. Caller holds the lock.
    private func scrubAndSeal(_ b: WriteBlock) {
        b.flushedTo = min(b.flushedTo, b.used)
        cached[b.index] = b
        cacheOrder.append(b.index)
        current = nil
        unscrubbed = b
        _ = scrub()
    }

    /// Caller holds the lock.
    private func scrub() -> Bool {
        guard let b = unscrubbed else { return true }
        let page = DeviceStore.page
        let from = (b.flushedTo / page) * page
        let to = min(blockSize, (b.used / page + 1) * page)
        guard file.write(b.buf + from, count: to - from, at: b.index * blockSize + from), file.sync() else { return false }
        b.flushedTo = b.used
        unscrubbed = nil
        return true
    }

    /// Bytes at a location stopped mattering (an overwritten or deleted record's image).
    func markDead(block: Int, payload: Int) {
        let len = DeviceStore.entryLength(payload: payload)
        aero_atomic_add(live + block, -Int64(len))
        liveTotal.subtract(len, ordering: .relaxed)
    }

    /// Seals the current block and opens the next free one. Caller holds the lock.
    private func startBlock(reserve: Int) -> Append? {
        guard free.count > reserve else { return .full }
        if let b = current {
            // The flusher writes sealed blocks; too many waiting means the device is behind.
            if !b.onFile && pendingCount() >= pendingLimit { return .overload }
            cached[b.index] = b
            cacheOrder.append(b.index)
            current = nil
            if !b.onFile { flusherWakeup.signal() }
        }
        guard let next = free.popLast() else { return .full }
        freeTotal.subtract(1, ordering: .relaxed)
        let b = takeBuffer()
        sequence += 1
        b.index = next
        b.seq = sequence
        seqOf[next] = sequence
        _ = aero_atomic_exchange(live + next, 0)
        memset(b.buf, 0, blockSize)
        b.buf.storeBytes(of: DeviceStore.magic, as: UInt64.self)
        b.buf.storeBytes(of: sequence, toByteOffset: 8, as: UInt64.self)
        b.buf.storeBytes(of: DeviceStore.formatVersion, toByteOffset: 20, as: UInt32.self)
        b.used = DeviceStore.headerSize
        b.buf.storeBytes(of: UInt32(b.used), toByteOffset: 16, as: UInt32.self)
        b.flushedTo = 0
        current = b
        noteResidency()
        return nil
    }

    /// A buffer for a new current block: a spare one, the oldest cached block already on the
    /// file once the cache is past its size, or a new one. Caller holds the lock.
    private func takeBuffer() -> WriteBlock {
        trimCache()
        return spare.popLast() ?? WriteBlock(size: blockSize)
    }

    /// Drops the oldest cached blocks that are on the file until the cache fits its size.
    /// Caller holds the lock.
    func trimCache() {
        defer { noteResidency() }
        var i = 0
        while cacheOrder.count - i > cacheBlocks && i < cacheOrder.count {
            let idx = cacheOrder[i]
            if let b = cached[idx], b.onFile {
                cached[idx] = nil
                cacheOrder.remove(at: i)
                spare.append(b)
            } else {
                i += 1
            }
        }
    }

    /// Writes the pages of the current block changed since its last write. Caller holds the lock.
    @discardableResult
    private func writeCurrent() -> Bool {
        guard let b = current else { return true }
        return writePages(b)
    }

    /// Writes a block's pages from the first not yet on the file through the one holding
    /// `used` (that page's tail is zeros, where replay stops).
    private func writePages(_ b: WriteBlock) -> Bool {
        guard !b.onFile else { return true }
        let (from, to) = pageRange(b)
        let used = b.used
        guard file.write(b.buf + from, count: to - from, at: b.index * blockSize + from), file.sync() else { return false }
        b.flushedTo = used
        return true
    }

    /// The pages of a block not yet on the file: from the first changed one through the one
    /// holding `used`.
    private func pageRange(_ b: WriteBlock) -> (from: Int, to: Int) {
        let page = DeviceStore.page
        return ((b.flushedTo / page) * page, min(blockSize, (b.used + page - 1) / page * page))
    }

    /// The flusher's turn (every flush-max-ms, and whenever sealed blocks wait) and the
    /// clean-shutdown flush: every sealed block waiting, then the current one. False when the
    /// file refused a write (it is tried again next time).
    @discardableResult
    public func flush() -> Bool {
        // One flush at a time, in order, stopping at the first refusal: a later block never
        // reaches the file ahead of an earlier one.
        flushLock.lock(); defer { flushLock.unlock() }
        let waiting: [WriteBlock]? = lock.withLock {
            guard scrub() else { return nil }
            return cacheOrder.compactMap { idx in cached[idx].flatMap { $0.onFile ? nil : $0 } }
        }
        guard let waiting else { return false }
        // A sealed block no longer changes and is not reused before it is on the file, so it
        // is written without the store lock: appends and reads go on meanwhile.
        for b in waiting {
            let (from, to) = pageRange(b)
            guard file.write(b.buf + from, count: to - from, at: b.index * blockSize + from), file.sync() else { return false }
            lock.withLock { b.flushedTo = b.used }
        }
        return lock.withLock {
            // Blocks sealed while those were written go first (under the lock: rare, and in order).
            for idx in cacheOrder {
                if let b = cached[idx], !b.onFile, !writePages(b) { return false }
            }
            guard writeCurrent() else { return false }
            trimCache()
            return true
        }
    }

    /// Sealed blocks waiting for the flusher. Caller holds the lock.
    private func pendingCount() -> Int { cached.values.reduce(0) { $0 + ($1.onFile ? 0 : 1) } }
}
