import XCTest
import AeroWire
@testable import AeroEngine

// MARK: - A disk that fails on demand

/// A disk in memory that fails on demand. Every write that reaches it is journaled with how
/// much of it landed, so the disk as a crash after any write would leave it can be rebuilt
/// afterwards (`crashImage`): one run of a workload gives every crash point.
final class FaultyFile: StorageFile, @unchecked Sendable {
    /// One write as the file sees it: its number (0-based), where it goes, and where the
    /// bytes that differ from the disk begin and end (the news it brings).
    struct Attempt { var n: Int; var offset: Int; var count: Int; var news: Int; var newsEnd: Int }
    /// What becomes of one write.
    enum Fault {
        case none
        /// Its first `landing` bytes reach the disk, then it reports failure (ENOSPC, EIO, a short write).
        case fail(landing: Int)
        /// Its first `landing` bytes reach the disk, yet it reports success (a power cut mid-write).
        case torn(landing: Int)
    }
    struct Write { var offset: Int; var bytes: [UInt8]; var landed: Int }

    let direct = false
    let size: Int
    private let initial: [UInt8]
    private(set) var disk: [UInt8]
    private(set) var journal: [Write] = []
    private(set) var reads = 0
    private(set) var failures = 0
    var fault: (Attempt) -> Fault = { _ in .none }

    init(size: Int) { self.size = size; initial = [UInt8](repeating: 0, count: size); disk = initial }
    init(image: [UInt8]) { size = image.count; initial = image; disk = image }

    /// ENOSPC: from write number `n` on, every write fails, landing what `landing` tells.
    func failAll(from n: Int, landing: @escaping (Attempt) -> Int = { _ in 0 }) {
        fault = { $0.n >= n ? .fail(landing: landing($0)) : .none }
    }

    /// Writes tried so far (failed ones included).
    var writes: Int { journal.count }

    func write(_ buf: UnsafeRawPointer, count: Int, at offset: Int) -> Bool {
        precondition(offset >= 0 && offset + count <= size, "write outside the disk")
        let bytes = Array(UnsafeRawBufferPointer(start: buf, count: count))
        var news = 0, newsEnd = count
        while news < count && bytes[news] == disk[offset + news] { news += 1 }
        while newsEnd > news && bytes[newsEnd - 1] == disk[offset + newsEnd - 1] { newsEnd -= 1 }
        var landed = count, ok = true
        switch fault(Attempt(n: journal.count, offset: offset, count: count, news: news, newsEnd: newsEnd)) {
        case .none: break
        case .fail(let n): landed = max(0, min(n, count)); ok = false; failures += 1
        case .torn(let n): landed = max(0, min(n, count))
        }
        let w = Write(offset: offset, bytes: bytes, landed: landed)
        journal.append(w)
        FaultyFile.land(w, 0..<landed, on: &disk)
        return ok
    }

    func read(_ buf: UnsafeMutableRawPointer, count: Int, at offset: Int) -> Bool {
        guard offset >= 0, offset + count <= size else { return false }
        reads += 1
        disk.withUnsafeBytes { _ = memcpy(buf, $0.baseAddress! + offset, count) }
        return true
    }

    func sync() -> Bool { true }

    /// Damages the disk in place (bit rot under a running server).
    func flip(at offset: Int) { disk[offset] ^= 0xFF }
    func setByte(_ offset: Int, _ v: UInt8) { disk[offset] = v }

    /// How the write a crash interrupts ends up: not at all, its first bytes, or some of its pages.
    enum Tear: CustomStringConvertible {
        case none
        case bytes(Int)
        case pages(String, (Int) -> Bool)
        var description: String {
            switch self {
            case .none: return "no torn write"
            case .bytes(let n): return "next write torn after \(n) bytes"
            case .pages(let name, _): return "next write landing only its \(name) pages"
            }
        }
    }

    /// The disk as a crash right after the first `k` writes leaves it, the next write torn as told.
    func crashImage(after k: Int, _ tear: Tear = .none) -> [UInt8] {
        var image = initial
        for w in journal.prefix(k) { FaultyFile.land(w, 0..<w.landed, on: &image) }
        guard k < journal.count else { return image }
        let w = journal[k]
        switch tear {
        case .none: break
        case .bytes(let n): FaultyFile.land(w, 0..<min(n, w.landed), on: &image)
        case .pages(_, let keep):
            for (p, start) in stride(from: 0, to: w.landed, by: DeviceStore.page).enumerated() where keep(p) {
                FaultyFile.land(w, start..<min(start + DeviceStore.page, w.landed), on: &image)
            }
        }
        return image
    }

    /// Tears worth trying for write `k`: none, mid-write, all but its last byte, every other page.
    func tears(for k: Int) -> [Tear] {
        guard k < journal.count else { return [.none] }
        let n = journal[k].bytes.count
        return [.none, .bytes(n / 2 + 13), .bytes(n - 1), .pages("even", { $0 % 2 == 0 })]
    }

    private static func land(_ w: Write, _ range: Range<Int>, on image: inout [UInt8]) {
        image.replaceSubrange((w.offset + range.lowerBound)..<(w.offset + range.upperBound), with: w.bytes[range])
    }
}

// MARK: - A server over that disk

// The helpers live in the test class, so other test files are free to use these names.
extension DeviceFaultTests {
    typealias Reply = WireReply

    /// One record as a client sees it.
    struct Rec: Equatable, CustomStringConvertible {
        var gen: UInt32
        var value: [UInt8]
        var description: String { "gen \(gen), \(value.count) bytes \(value.prefix(4))" }
    }
    typealias Contents = [Int: Rec]

    /// An engine whose namespace "test" keeps its records on a `FaultyFile`, cold-started from it.
    final class Node {
        let file: FaultyFile
        let options: DeviceStore.Options
        let engine: Engine
        let store: DeviceStore
        let ctx = TxnContext()
        var ns: Namespace { engine.namespaces[0] }

        init(_ file: FaultyFile, _ options: DeviceStore.Options, clockAhead: Int64 = 0) {
            self.file = file
            self.options = options
            var cfg = NamespaceConfig(name: "test")
            cfg.maxRecordSize = 64 << 10
            cfg.allowTTLWithoutNsup = true  // TTLs without an expiry thread (tests move the clock)
            var dev = NamespaceConfig.Device(file: "/nonexistent", fileSize: file.size)
            dev.store = options
            cfg.device = dev
            let clock = Clock()
            clock.advance(seconds: clockAhead)
            engine = Engine(namespaces: [cfg], clock: clock, udf: UDFRegistry(directory: nil))
            store = DeviceStore(file: file, size: file.size, options: options)
            try! engine.attach(store, to: engine.namespaces[0])
        }

        /// A clean restart from what the disk holds now.
        func restarted(clockAhead: Int64 = 0) -> Node { Node(FaultyFile(image: file.disk), options, clockAhead: clockAhead) }

        static func digest(_ k: Int) -> [UInt8] {
            var s = UInt64(k) &+ 0x1234_5678
            return (0..<20).map { _ in UInt8(truncatingIfNeeded: DeviceFaultTests.splitmix(&s)) }
        }

        func put(_ k: Int, _ value: [UInt8], set: String = "s", ttl: UInt32 = 0) -> Reply {
            run(info2: Info2.write, set: set, k, ttl: ttl,
                ops: [(OpType.write, ParticleType.blob, "v", value)])
        }
        func delete(_ k: Int) -> Reply { run(info2: Info2.write | Info2.delete, k) }
        func get(_ k: Int) -> Reply { run(info1: Info1.read | Info1.getAll, k) }

        /// The index entry (a stub: header, block, offset) of a record.
        func stub(_ k: Int) -> UnsafeMutableRawPointer? {
            let d = Digest(bytes: Node.digest(k))
            return ns.partition(for: d).table.get(d)
        }
        /// The set a record belongs to, by the id its stub holds.
        func setName(_ k: Int) -> String? { stub(k).flatMap { ns.sets.byID(RecordRef($0).setID)?.name } }
        /// Where a record's image starts on the disk.
        func diskOffset(_ k: Int) -> Int? {
            stub(k).map { RecordStub.block($0) * store.blockSize + RecordStub.offset($0) }
        }

        private func run(info1: UInt8 = 0, info2: UInt8 = 0, set: String = "s", _ k: Int, ttl: UInt32 = 0,
                         ops: [(UInt8, UInt8, String, [UInt8])] = []) -> Reply {
            let msg = WireBuffer()
            msg.appendMsgHeader(info1: info1, info2: info2, info3: 0, result: 0, generation: 0, voidTime: ttl,
                                nFields: 3, nOps: UInt16(ops.count))
            Array("test".utf8).withUnsafeBytes { msg.appendField(FieldType.namespace, $0) }
            Array(set.utf8).withUnsafeBytes { msg.appendField(FieldType.set, $0) }
            Node.digest(k).withUnsafeBytes { msg.appendField(FieldType.digest, $0) }
            for (op, particle, name, value) in ops {
                Array(name.utf8).withUnsafeBytes { n in value.withUnsafeBytes { msg.appendOp(op: op, particle: particle, name: n, value: $0) } }
            }
            let out = WireBuffer()
            _ = Array(msg.bytes).withUnsafeBytes { engine.handle($0, out: out, ctx: ctx) }
            return WireReply.decode(Array(out.bytes), at: 8)
        }
    }

    static func splitmix(_ s: inout UInt64) -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    struct Rng {
        var s: UInt64
        mutating func next(_ n: Int) -> Int { Int(DeviceFaultTests.splitmix(&s) % UInt64(n)) }
    }

    /// A value no other (key, version) has.
    func blob(_ k: Int, _ version: Int, _ count: Int) -> [UInt8] {
        var s = UInt64(k) << 32 | UInt64(version)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: Self.splitmix(&s)) }
    }

    // MARK: - What clients were told

    /// The contents each acknowledged client op leads to, when each began (in file writes), and
    /// which prefixes of the ops were surely on the disk after which write.
    struct Trace {
        private(set) var states: [Contents] = [[:]]
        private var started: [Int] = []
        private var durableMarks: [(writes: Int, ops: Int)] = []
        var now: Contents { states.last! }
        var count: Int { states.count - 1 }

        mutating func acknowledged(_ c: Contents, startedAt writes: Int) { states.append(c); started.append(writes) }
        /// Every op so far is on the disk once `writes` writes have landed.
        mutating func durable(at writes: Int) { durableMarks.append((writes, count)) }
        /// Ops surely on a disk where the first `k` writes landed.
        func surelyDurable(afterWrites k: Int) -> Int { durableMarks.last { $0.writes <= k }?.ops ?? 0 }
        /// Ops that may be on a disk where writes through number `last` landed, at least in part.
        func possiblyDurable(throughWrite last: Int) -> Int { started.prefix { $0 <= last }.count }
    }

    enum Op { case put(Int, [UInt8]), delete(Int) }

    final class Box<T> { var value: T; init(_ v: T) { value = v } }
}

// MARK: - Tests

/// Device namespaces under failing and crashing disks: short writes and ENOSPC with
/// commit-to-device, a crash at every write of the flusher and of defrag, torn blocks, reads
/// from the file, corrupt images, compression.
final class DeviceFaultTests: XCTestCase {
    func options(block: Int, commit: Bool = false, cache: Int = 0, compress: Bool = false) -> DeviceStore.Options {
        var o = DeviceStore.Options()
        o.blockSize = block
        o.commitToDevice = commit
        o.postWriteCache = cache
        o.compress = compress
        return o
    }

    /// Runs one client op; an acknowledged one must report the generation the trace expects
    /// and is recorded. Returns the result code.
    @discardableResult
    func apply(_ op: Op, on node: Node, _ trace: inout Trace, file: StaticString = #filePath, line: UInt = #line) -> UInt8 {
        let before = node.file.writes
        var next = trace.now
        let r: Reply
        switch op {
        case .put(let k, let value):
            r = node.put(k, value)
            guard r.result == ResultCode.ok else { return r.result }
            let gen = (next[k]?.gen ?? 0) + 1
            XCTAssertEqual(r.generation, gen, "put \(k)", file: file, line: line)
            next[k] = Rec(gen: gen, value: value)
        case .delete(let k):
            r = node.delete(k)
            guard r.result == ResultCode.ok else { return r.result }
            XCTAssertNotNil(next[k], "deleted \(k), which was absent", file: file, line: line)
            next[k] = nil
        }
        trace.acknowledged(next, startedAt: before)
        return r.result
    }

    /// A random put (new or overwrite) or delete of a present key.
    func randomOp(_ rng: inout Rng, _ now: Contents, keys: Int, version: Int, sizes: ClosedRange<Int> = 100...1400) -> Op {
        let k = rng.next(keys)
        if now[k] != nil && rng.next(5) == 0 { return .delete(k) }
        return .put(k, blob(k, version, sizes.lowerBound + rng.next(sizes.count)))
    }

    /// What a node holds for `keys` (every read must succeed or find nothing); nil after a failure.
    func contents(_ node: Node, _ keys: Range<Int>, _ what: @autoclosure () -> String,
                  file: StaticString = #filePath, line: UInt = #line) -> Contents? {
        var c = Contents()
        for k in keys {
            let r = node.get(k)
            switch r.result {
            case ResultCode.ok:
                guard r.bins.count == 1, let v = r.bins["v"], node.setName(k) == "s" else {
                    XCTFail("\(what()): key \(k) came back as \(r.bins.keys.sorted()) in set \(node.setName(k) ?? "-")", file: file, line: line)
                    return nil
                }
                c[k] = Rec(gen: r.generation, value: v)
            case ResultCode.notFound: break
            default:
                XCTFail("\(what()): reading key \(k) gave result \(r.result)", file: file, line: line)
                return nil
            }
        }
        return c
    }

    func describe(_ got: Contents, against want: Contents) -> String {
        let keys = Set(got.keys).union(want.keys).sorted().filter { got[$0] != want[$0] }
        return keys.prefix(6).map { "key \($0): got \(got[$0].map(\.description) ?? "absent"), want \(want[$0].map(\.description) ?? "absent")" }
            .joined(separator: "; ")
    }

    /// Cold-starts from `image`: the node must hold what the trace's first n ops left, for some
    /// n in `ops` (or, `perRecord`, each record as one of those states has it). Then it takes
    /// one more write and a clean restart, which must keep all of it (the writer carries on
    /// correctly after whatever the crash left). False after a failure.
    @discardableResult
    func recover(_ image: [UInt8], _ options: DeviceStore.Options, _ trace: Trace, ops: ClosedRange<Int>,
                 keys: Range<Int>, _ what: String, defragAfter: Bool = false, perRecord: Bool = false,
                 file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let node = Node(FaultyFile(image: image), options)
        guard let got = contents(node, keys, what, file: file, line: line) else { return false }
        if perRecord {
            // Each record in a state it had since its last durable op; no order across records.
            for k in keys where !ops.contains(where: { trace.states[$0][k] == got[k] }) {
                XCTFail("\(what): key \(k) is \(got[k].map(\.description) ?? "absent"), a state it never had in ops \(ops)",
                        file: file, line: line)
                return false
            }
        } else if !ops.contains(where: { trace.states[$0] == got }) {
            XCTFail("\(what): holds no state the clients could have seen (ops \(ops)): \(describe(got, against: trace.states[ops.upperBound]))",
                    file: file, line: line)
            return false
        }
        XCTAssertEqual(node.ns.objects.load(ordering: .relaxed), got.count, "\(what): object count", file: file, line: line)
        var expect = got
        let extra = 1_000_000
        let r = node.put(extra, blob(extra, 1, 300))
        XCTAssertEqual(r.result, ResultCode.ok, "\(what): a write after recovery", file: file, line: line)
        expect[extra] = Rec(gen: 1, value: blob(extra, 1, 300))
        if defragAfter { node.engine.defragment(node.ns, lowWaterPct: 50) }
        XCTAssertTrue(node.store.flush(), file: file, line: line)
        let again = node.restarted()
        guard let after = contents(again, keys, "\(what), restarted", file: file, line: line) else { return false }
        var afterAll = after
        let x = again.get(extra)
        if x.result == ResultCode.ok { afterAll[extra] = Rec(gen: x.generation, value: x.bins["v"] ?? []) }
        XCTAssertEqual(again.ns.objects.load(ordering: .relaxed), expect.count, "\(what), restarted: object count", file: file, line: line)
        XCTAssertEqual(afterAll, expect, "\(what), restarted after one more write: \(describe(afterAll, against: expect))",
                       file: file, line: line)
        XCTAssertEqual(again.store.liveBytes, node.store.liveBytes, "\(what): live bytes the same after a restart", file: file, line: line)
        return true
    }

    /// For every crash point in `writes` (and each tear of the next write), a cold start must
    /// find a state the trace allows. Stops at the first failure.
    func crashEverywhere(_ node: Node, _ trace: Trace, keys: Range<Int>, writes: ClosedRange<Int>, defragAfter: Bool = false,
                         file: StaticString = #filePath, line: UInt = #line) {
        for k in writes {
            for tear in node.file.tears(for: k) {
                let lo = trace.surelyDurable(afterWrites: k)
                var last = k - 1
                if case .none = tear {} else { last = k }
                let hi = max(lo, trace.possiblyDurable(throughWrite: last))
                guard recover(node.file.crashImage(after: k, tear), node.options, trace, ops: lo...hi, keys: keys,
                              "crash after write \(k) of \(node.file.writes), \(tear)", defragAfter: defragAfter,
                              file: file, line: line) else { return }
            }
        }
    }

    // MARK: commit-to-device

    /// ENOSPC under commit-to-device: every write the file refuses (some of its bytes landing
    /// or none) gets an error reply and changes nothing, now or after a cold start; every
    /// acknowledged write is durable at once. A crash at any write finds exactly what was acknowledged.
    func testCommitToDeviceFailuresAreNeitherAcknowledgedNorReplayed() {
        // How much of the new entry lands, from its start (a whole entry landing is
        // testCommitToDeviceWriteReportedFailedDoesNotReplay).
        let landings: [(String, Double)] = [("nothing lands", -1), ("part of the entry header lands", 0.02),
                                            ("half the entry lands", 0.5), ("three quarters of the entry land", 0.75)]
        for (name, fraction) in landings {
            let o = options(block: 16 << 10, commit: true)
            let node = Node(FaultyFile(size: 256 << 10), o)
            var trace = Trace(), rng = Rng(s: 7), version = 0
            // Where the next entry goes: the current block and its used bytes before the op.
            let before = Box<(block: Int, used: Int)>((-1, 0))
            func landing(_ a: FaultyFile.Attempt) -> Int {
                guard fraction >= 0 else { return 0 }
                // A write with no current block is the one clearing a sealed block's end after
                // a refused commit (zeros): nothing of an entry in it.
                guard let cur = node.store.current else { return 0 }  // the entry is in it, `used` past it
                let start = cur.index * o.blockSize + (cur.index == before.value.block ? before.value.used : DeviceStore.headerSize)
                let end = cur.index * o.blockSize + cur.used
                return start - a.offset + Int(Double(end - start) * fraction)
            }
            func phase(_ ops: Int, failing: Bool) {
                for _ in 0..<ops {
                    version += 1
                    let op = randomOp(&rng, trace.now, keys: 16, version: version)
                    let acked = trace.count, failuresBefore = node.file.failures
                    before.value = node.store.current.map { ($0.index, $0.used) } ?? (-1, 0)
                    let rc = apply(op, on: node, &trace)
                    if failing {
                        // The entry's write, and/or the write clearing the end of the block
                        // sealed after the last refusal (tried again before any append).
                        XCTAssertTrue((1...2).contains(node.file.failures - failuresBefore), "\(name): one or two writes tried")
                        if case .put = op { XCTAssertEqual(rc, ResultCode.unknown, "\(name): a put the device refused") }
                        else { XCTAssertNotEqual(rc, ResultCode.ok, "\(name): a delete the device refused") }
                        XCTAssertEqual(trace.count, acked)
                    } else {
                        XCTAssertEqual(rc, ResultCode.ok, "\(name): healthy device")
                        trace.durable(at: node.file.writes)
                    }
                }
            }
            phase(30, failing: false)
            node.file.failAll(from: node.file.writes, landing: landing)  // (a reference cycle: fine in a test)
            phase(12, failing: true)
            XCTAssertEqual(contents(node, 0..<16, "\(name): while failing"), trace.now, "\(name): refused writes changed nothing in memory")
            let full = node.file.crashImage(after: node.file.writes)
            recover(full, o, trace, ops: trace.count...trace.count, keys: 0..<16, "\(name): restart after ENOSPC")
            node.file.fault = { _ in .none }  // space again
            phase(24, failing: false)
            XCTAssertGreaterThan(node.file.writes, 60)
            XCTAssertEqual(contents(node.restarted(), 0..<16, "\(name): clean restart"), trace.now)
            // Every crash point once (each takes a cold start or two).
            if fraction == 0.5 { crashEverywhere(node, trace, keys: 0..<16, writes: 0...node.file.writes) }
        }
    }

    /// A commit-to-device write whose bytes all reached the file but that reported failure
    /// (EIO from fsync, say) was answered with an error; a cold start must not bring it back.
    func testCommitToDeviceWriteReportedFailedDoesNotReplay() {
        let o = options(block: 16 << 10, commit: true)
        let node = Node(FaultyFile(size: 256 << 10), o)
        XCTAssertEqual(node.put(1, blob(1, 1, 500)).result, ResultCode.ok)
        XCTAssertEqual(node.put(2, blob(2, 1, 500)).result, ResultCode.ok)
        node.file.fault = { .fail(landing: $0.count) }
        XCTAssertEqual(node.put(1, blob(1, 2, 500)).result, ResultCode.unknown)
        let get1 = node.get(1)
        XCTAssertEqual(get1.generation, 1)
        XCTAssertEqual(get1.bins["v"], blob(1, 1, 500), "the refused write is not visible")
        let r1 = node.restarted().get(1)
        XCTAssertEqual(r1.generation, 1, "a put answered with an error came back after a cold start")
        XCTAssertEqual(r1.bins["v"], blob(1, 1, 500))
        XCTAssertNotEqual(node.delete(2).result, ResultCode.ok)
        XCTAssertEqual(node.get(2).result, ResultCode.ok)
        XCTAssertEqual(node.restarted().get(2).result, ResultCode.ok, "a delete answered with an error took effect after a cold start")
    }

    // MARK: crashes without commit-to-device

    /// Puts, overwrites and deletes in batches, the flusher running between them; a crash at
    /// every write (and a torn next write) keeps every flushed op, nothing from the future and
    /// never a mix: the disk holds the state after some prefix of the acknowledged ops.
    func testCrashAtEveryWriteOfTheFlusher() {
        let o = options(block: 16 << 10)
        let node = Node(FaultyFile(size: 256 << 10), o)
        var trace = Trace(), rng = Rng(s: 42), version = 0
        for _ in 0..<6 {
            for _ in 0..<25 {
                version += 1
                XCTAssertEqual(apply(randomOp(&rng, trace.now, keys: 20, version: version), on: node, &trace), ResultCode.ok)
            }
            XCTAssertTrue(node.store.flush())
            trace.durable(at: node.file.writes)
        }
        XCTAssertGreaterThan(node.file.writes, 10)
        XCTAssertGreaterThan(node.store.totalBlocks - node.store.freeBlocks, 5, "the workload spans blocks")
        XCTAssertEqual(contents(node.restarted(), 0..<21, "clean restart"), trace.now)
        crashEverywhere(node, trace, keys: 0..<21, writes: 0...node.file.writes)
    }

    /// The flusher's writes fail for a while (ENOSPC, half of each landing): flush reports it,
    /// sealed blocks wait in memory until too many do (DEVICE_OVERLOAD, and nothing changes),
    /// a crash meanwhile keeps what was flushed before and each record in a state it had;
    /// once writes succeed again one flush makes everything acknowledged durable.
    func testFlusherSurvivesFailingWrites() {
        var o = options(block: 16 << 10)
        o.maxWriteCache = 32 << 10  // two sealed blocks may wait
        let node = Node(FaultyFile(size: 256 << 10), o)
        var trace = Trace(), rng = Rng(s: 5), version = 0
        for _ in 0..<30 {
            version += 1
            XCTAssertEqual(apply(randomOp(&rng, trace.now, keys: 20, version: version), on: node, &trace), ResultCode.ok)
        }
        XCTAssertTrue(node.store.flush())
        trace.durable(at: node.file.writes)
        let durable = trace.count

        node.file.failAll(from: node.file.writes) { $0.count / 2 }
        var refused = 0
        for i in 0..<120 {
            version += 1
            let op = randomOp(&rng, trace.now, keys: 20, version: version)
            let acked = trace.count
            let rc = apply(op, on: node, &trace)
            if rc != ResultCode.ok {
                refused += 1
                if case .put = op { XCTAssertEqual(rc, ResultCode.deviceOverload) } else { XCTAssertNotEqual(rc, ResultCode.ok) }
                XCTAssertEqual(trace.count, acked)
            }
            if i % 10 == 9 { XCTAssertFalse(node.store.flush(), "the file refuses the flusher's writes") }
        }
        XCTAssertGreaterThan(refused, 10, "writes stop once two sealed blocks wait")
        XCTAssertGreaterThan(trace.count, durable + 20)
        XCTAssertEqual(contents(node, 0..<21, "while failing"), trace.now)
        recover(node.file.disk, o, trace, ops: durable...trace.count, keys: 0..<21, "crash while the flusher fails", perRecord: true)

        node.file.fault = { _ in .none }
        let healed = node.file.writes
        XCTAssertTrue(node.store.flush())
        trace.durable(at: node.file.writes)
        XCTAssertEqual(contents(node.restarted(), 0..<21, "restart once flushed"), trace.now)
        for k in healed...node.file.writes {
            for tear in node.file.tears(for: k) {
                guard recover(node.file.crashImage(after: k, tear), o, trace, ops: durable...trace.count, keys: 0..<21,
                              "crash after write \(k) (the flusher catching up), \(tear)", perRecord: true) else { return }
            }
        }
        XCTAssertEqual(node.put(0, blob(0, 1, 100)).result, ResultCode.ok, "writes accepted again")
    }

    // MARK: torn blocks

    /// Block 0 in its second life (after a release) takes 12 entries of 1016 bytes in one
    /// three-page write, over its first life's entries; block 1 is whole.
    func tornBlockSetup(lastWrite: FaultyFile.Fault = .none) -> (file: FaultyFile, o: DeviceStore.Options, life2: [Int]) {
        let o = options(block: 16 << 10)
        let file = FaultyFile(size: 32 << 10)
        file.fault = { $0.n == 3 ? lastWrite : .none }
        let s = DeviceStore(file: file, size: file.size, options: o)
        try! s.replay { _ in }
        func add(_ i: Int, _ fill: UInt8) -> Int {
            let r = [UInt8](repeating: fill, count: 976).withUnsafeBytes { s.append(.record, Digest(bytes: Node.digest(i)), $0) }
            guard case .stored(_, let offset) = r else { XCTFail("append \(i): \(r)"); return 0 }
            return offset - DeviceStore.entryHeader
        }
        for i in 0..<16 { _ = add(i, 0xA1) }     // block 0, life 1: full
        XCTAssertTrue(s.flush())
        _ = add(16, 0xB1)                         // opens block 1
        XCTAssertTrue(s.release(block: 0))
        for i in 17..<32 { _ = add(i, 0xB1) }     // block 1 full
        let life2 = (100..<112).map { add($0, 0xC2) }  // block 0 again, a new sequence
        XCTAssertEqual(life2.first, DeviceStore.headerSize)
        XCTAssertTrue(s.flush())
        XCTAssertEqual(file.writes, 4)
        XCTAssertEqual(file.journal.last?.offset, 0)
        XCTAssertEqual(file.journal.last?.bytes.count, 3 * DeviceStore.page)
        return (file, o, life2)
    }

    func replayed(_ image: [UInt8], _ o: DeviceStore.Options) -> (DeviceStore, [(Digest, [UInt8])]) {
        let s = DeviceStore(file: FaultyFile(image: image), size: image.count, options: o)
        var out: [(Digest, [UInt8])] = []
        try! s.replay { out.append(($0.digest, Array($0.payload))) }
        return (s, out)
    }

    /// A torn block write replays its entries up to the tear and none beyond, whether the
    /// write stopped part way or landed only some of its pages; a lost header page leaves the
    /// block free, and its first life's entries never come back.
    func testTornBlockReplaysUpToTheTearOnly() {
        let (file, o, life2) = tornBlockSetup()
        let last = file.writes - 1
        let block1 = (16..<32).map { Digest(bytes: Node.digest($0)) }
        let ends = life2.map { $0 + 1016 }
        func entriesBefore(_ cut: Int) -> Int { ends.prefix { $0 <= cut }.count }
        let cases: [(FaultyFile.Tear, Int)] = [
            (.none, 0),                                          // header still cleared by the release
            (.bytes(2 * DeviceStore.page), entriesBefore(2 * DeviceStore.page)),
            (.bytes(life2[5] + 500), 5),
            (.bytes(3 * DeviceStore.page), 12),
            (.pages("even", { $0 % 2 == 0 }), entriesBefore(DeviceStore.page)),
            (.pages("all but the first", { $0 > 0 }), 0),    // the header page is lost
        ]
        XCTAssertEqual(cases[1].1, 8)
        XCTAssertEqual(cases[4].1, 3)
        for (tear, kept) in cases {
            let (_, entries) = replayed(file.crashImage(after: last, tear), o)
            XCTAssertEqual(entries.map(\.0), block1 + (100..<(100 + kept)).map { Digest(bytes: Node.digest($0)) }, "\(tear)")
            XCTAssertTrue(entries.allSatisfy { $0.1 == [UInt8](repeating: $0.1[0], count: 976) && $0.1[0] != 0xA1 }, "\(tear): no first-life entry")
        }
        // The same tear as it happens: the write reports success with two pages on the disk.
        let torn = tornBlockSetup(lastWrite: .torn(landing: 2 * DeviceStore.page)).file
        XCTAssertEqual(torn.disk, file.crashImage(after: last, .bytes(2 * DeviceStore.page)))
        XCTAssertEqual(replayed(torn.disk, o).1.count, 16 + 8)
    }

    /// After a crash that landed only some pages of a block write, entries past the tear that
    /// did land must never come back. Had the writer carried on in that block, five more
    /// entries would end exactly at page 2, where the old life-2 entry 108 begins (it landed
    /// with page 2); the writer opens a new block instead, so the torn one ends at the tear.
    func testWritingAfterATornBlockDoesNotReviveEntriesPastTheTear() {
        let (file, o, _) = tornBlockSetup()
        // One more (free) block, so the writer has somewhere to go after the cold start.
        let image = file.crashImage(after: file.writes - 1, .pages("even", { $0 % 2 == 0 })) + [UInt8](repeating: 0, count: 16 << 10)
        let (s, entries) = replayed(image, o)
        XCTAssertEqual(entries.count, 16 + 3)
        for i in 200..<205 {
            XCTAssertTrue([UInt8](repeating: 0xD3, count: 976).withUnsafeBytes { s.append(.record, Digest(bytes: Node.digest(i)), $0) }.isStored)
        }
        XCTAssertTrue(s.flush())
        let key = Dictionary(uniqueKeysWithValues: (0..<300).map { (Digest(bytes: Node.digest($0)), $0) })
        let after = replayed((s.file as! FaultyFile).disk, o).1.map { key[$0.0] ?? -1 }
        XCTAssertEqual(after, Array(16..<32) + Array(100..<103) + Array(200..<205),
                       "entries past the tear (108...111) came back after later writes")
    }

    // MARK: defrag

    /// Overwrites and deletes until old blocks fall below the low-water mark, then defrag; a
    /// crash at every write of defrag (torn or not) keeps every record, generation and delete,
    /// and the recovered node can defrag again. A second round reuses the freed blocks.
    func testDefragInterruptedAtEveryWrite() {
        let o = options(block: 64 << 10)
        let node = Node(FaultyFile(size: 1 << 20), o)
        var trace = Trace(), rng = Rng(s: 99), version = 0
        for round in 0..<2 {
            for _ in 0..<(round == 0 ? 8 : 5) {
                for _ in 0..<40 {
                    version += 1
                    XCTAssertEqual(apply(randomOp(&rng, trace.now, keys: 40, version: version, sizes: 800...1600), on: node, &trace),
                                   ResultCode.ok)
                }
                XCTAssertTrue(node.store.flush())
                trace.durable(at: node.file.writes)
            }
            XCTAssertGreaterThanOrEqual(node.store.defragCandidates(lowWaterPct: 50).count, 3, "round \(round): blocks to defrag")
            let freeBefore = node.store.freeBlocks, start = node.file.writes
            let freed = node.engine.defragment(node.ns, lowWaterPct: 50)
            XCTAssertGreaterThanOrEqual(freed, 3, "round \(round)")
            XCTAssertGreaterThan(node.store.freeBlocks, freeBefore, "round \(round): defrag made room")
            XCTAssertEqual(node.store.freeBlocks, node.store.stats.freeBlocks)
            XCTAssertEqual(contents(node, 0..<40, "round \(round): after defrag"), trace.now)
            let clean = node.restarted()
            XCTAssertEqual(contents(clean, 0..<40, "round \(round): restart after defrag"), trace.now)
            XCTAssertEqual(clean.store.liveBytes, node.store.liveBytes, "round \(round): live bytes after defrag and a restart")
            crashEverywhere(node, trace, keys: 0..<40, writes: start...node.file.writes, defragAfter: true)
        }
    }

    /// Records keep their set across defrag and a cold start, though defrag moves the set
    /// entries (which map set ids to names) behind other sets' entries.
    func testDefragKeepsEachRecordInItsSet() {
        let o = options(block: 16 << 10)
        let node = Node(FaultyFile(size: 256 << 10), o)
        // Set "a" (its entry first in block 0) fills block 0 and spills into block 1, where
        // set "b" is recorded; "b"'s records keep block 1 well above the low-water mark.
        var a = 0
        repeat {
            XCTAssertEqual(node.put(a, blob(a, 1, 1000), set: "a").result, ResultCode.ok)
            a += 1
        } while RecordStub.block(node.stub(a - 1)!) == RecordStub.block(node.stub(0)!)
        let all = a + 28
        for k in a..<all { XCTAssertEqual(node.put(k, blob(k, 1, 1000), set: "b").result, ResultCode.ok) }
        XCTAssertEqual(node.setName(0), "a")
        XCTAssertEqual(node.setName(a), "b")
        for v in 2...4 { for k in 0..<a { XCTAssertEqual(node.put(k, blob(k, v, 1000), set: "a").result, ResultCode.ok) } }
        XCTAssertTrue(node.store.flush())
        XCTAssertGreaterThan(node.engine.defragment(node.ns, lowWaterPct: 50), 0)
        XCTAssertTrue(node.store.flush())
        let want = (0..<all).map { $0 < a ? "a" : "b" }
        XCTAssertEqual((0..<all).map { node.setName($0) ?? "-" }, want, "each record's set after defrag")
        let restarted = node.restarted()
        XCTAssertEqual((0..<all).map { restarted.setName($0) ?? "-" }, want, "each record's set after defrag and a cold start")
        XCTAssertEqual(restarted.ns.sets.find(name: "a")?.objects.load(ordering: .relaxed), a)
        XCTAssertEqual(restarted.ns.sets.find(name: "b")?.objects.load(ordering: .relaxed), 28)
    }

    /// Under commit-to-device, the first write to a new set records the set before the record;
    /// when that fails, the record must not end up in another set after a cold start.
    func testFailedSetEntryDoesNotMoveRecordsToAnotherSet() {
        let node = Node(FaultyFile(size: 256 << 10), options(block: 16 << 10, commit: true))
        node.file.fault = { $0.n == 0 ? .fail(landing: 0) : .none }  // the set "a" entry
        let first = node.put(1, blob(1, 1, 300), set: "a")
        XCTAssertEqual(node.file.failures, 1)
        XCTAssertEqual(node.put(2, blob(2, 1, 300), set: "b").result, ResultCode.ok)
        let restarted = node.restarted()
        XCTAssertEqual(restarted.setName(2), "b")
        if first.result == ResultCode.ok {
            XCTAssertEqual(restarted.setName(1), "a", "a record acknowledged in set \"a\" is in set \(restarted.setName(1) ?? "-") after a cold start")
        } else {
            XCTAssertEqual(restarted.get(1).result, ResultCode.notFound)
        }
    }

    // MARK: reads from the file

    /// With no post-write cache, a cold-started node keeps only stubs: every read of a record
    /// outside the current block goes to the file. A damaged image header fails the read (and
    /// writes and deletes of that record) with an error; other records are unaffected.
    func testReadsComeFromTheFileAndDamagedImagesFailCleanly() {
        let o = options(block: 16 << 10)
        let first = Node(FaultyFile(size: 256 << 10), o)
        for k in 0..<30 { XCTAssertEqual(first.put(k, blob(k, 1, 1000)).result, ResultCode.ok) }
        for k in 0..<5 { XCTAssertEqual(first.put(k, blob(k, 2, 1000)).result, ResultCode.ok) }
        XCTAssertTrue(first.store.flush())
        let node = first.restarted()
        let current = node.store.current?.index
        let onFile = (0..<30).filter { RecordStub.block(node.stub($0)!) != current }
        XCTAssertGreaterThan(onFile.count, 15)
        let readsBefore = node.file.reads
        for k in 0..<30 {
            let r = node.get(k)
            XCTAssertEqual(r.result, ResultCode.ok)
            XCTAssertEqual(r.generation, k < 5 ? 2 : 1)
            XCTAssertEqual(r.bins["v"], blob(k, k < 5 ? 2 : 1, 1000), "key \(k)")
        }
        XCTAssertEqual(node.file.reads - readsBefore, onFile.count, "one file read per record outside the current block")

        let (bad, other) = (onFile[0], onFile[1])
        node.file.flip(at: node.diskOffset(bad)! + 4)  // the image's generation
        XCTAssertEqual(node.get(bad).result, ResultCode.unknown, "a damaged header fails the read")
        XCTAssertEqual(node.put(bad, blob(bad, 9, 100)).result, ResultCode.unknown, "and a write over it")
        XCTAssertEqual(node.get(other).bins["v"], blob(other, other < 5 ? 2 : 1, 1000), "other records unaffected")
        // A damaged bin value fails the entry's checksum too.
        node.file.flip(at: node.diskOffset(other)! + 40)
        XCTAssertEqual(node.get(other).result, ResultCode.unknown)
        XCTAssertEqual(node.ns.objects.load(ordering: .relaxed), 30)
        // A plain delete needs only the index entry's header, so a damaged record can still go.
        XCTAssertEqual(node.delete(bad).result, ResultCode.ok, "a delete without a key check reads nothing")
        XCTAssertEqual(node.get(bad).result, ResultCode.notFound)
        XCTAssertEqual(node.ns.objects.load(ordering: .relaxed), 29)
        XCTAssertTrue(node.store.flush())
        XCTAssertEqual(node.restarted().get(bad).result, ResultCode.notFound, "and stays deleted")
    }

    /// Bit rot in a record's bin structure (here its value length) under a running node: the
    /// read must fail (reads from the file check the entry's checksum), not run off the image.
    func testDamagedBinLengthOnTheFileDoesNotCrashARead() throws {
        let first = Node(FaultyFile(size: 256 << 10), options(block: 16 << 10))
        for k in 0..<60 { XCTAssertEqual(first.put(k, blob(k, 1, 1000)).result, ResultCode.ok) }
        XCTAssertTrue(first.store.flush())
        let node = first.restarted()
        XCTAssertNotEqual(RecordStub.block(node.stub(0)!), node.store.current?.index)
        // Image: 24-byte header, then bin "v": name length, name, particle, LEB128 length (1000), value.
        let at = node.diskOffset(0)! + 27
        for (i, b) in [UInt8]([0xFF, 0xFF, 0x7F]).enumerated() { node.file.setByte(at + i, b) }
        XCTAssertEqual(node.get(0).result, ResultCode.unknown, "the damaged image fails its checksum")
        XCTAssertEqual(node.get(1).result, ResultCode.ok, "its neighbours still read")
    }

    // MARK: expiry across restarts

    /// An image that expired while the node was down hides the older images of its record for
    /// good: the cold start writes a tombstone for it, so when defrag frees the expired image's
    /// block, the older version (in a block still alive) does not come back at the next start.
    func testAnExpiredImageKeepsOlderOnesHiddenAfterItsBlockIsFreed() {
        let node = Node(FaultyFile(size: 512 << 10), options(block: 16 << 10))
        XCTAssertEqual(node.put(1, blob(1, 1, 500)).result, ResultCode.ok)             // version 1, no TTL
        for k in 100..<120 { XCTAssertEqual(node.put(k, blob(k, 1, 500)).result, ResultCode.ok) }  // its block stays alive
        let oldBlock = RecordStub.block(node.stub(1)!)
        for k in 200..<260 { XCTAssertEqual(node.put(k, blob(k, 1, 500)).result, ResultCode.ok) }  // filler
        XCTAssertEqual(node.put(1, blob(1, 2, 500), ttl: 10).result, ResultCode.ok)    // version 2, 10 s
        let newBlock = RecordStub.block(node.stub(1)!)
        XCTAssertNotEqual(oldBlock, newBlock)
        for k in 200..<260 { XCTAssertEqual(node.put(k, blob(k, 2, 500)).result, ResultCode.ok) }  // filler dies
        XCTAssertTrue(node.store.flush())

        let later = node.restarted(clockAhead: 100)
        XCTAssertEqual(later.get(1).result, ResultCode.notFound, "version 2 expired while down")
        XCTAssertGreaterThan(later.engine.defragment(later.ns, lowWaterPct: 50), 0)
        XCTAssertEqual(later.store.seqOf[newBlock], 0, "the expired image's block was freed")
        XCTAssertNotEqual(later.store.seqOf[oldBlock], 0, "version 1's block is still there")
        XCTAssertTrue(later.store.flush())

        let again = later.restarted(clockAhead: 100)
        XCTAssertEqual(again.get(1).result, ResultCode.notFound, "version 1 must not come back")
        XCTAssertEqual(again.get(100).result, ResultCode.ok)
    }

    /// ...but a record written again after its short-lived version keeps its newest image:
    /// the cold start must not append a tombstone behind it.
    func testANewerImageAfterAnExpiredOneSurvivesTwoRestarts() {
        let node = Node(FaultyFile(size: 512 << 10), options(block: 16 << 10))
        XCTAssertEqual(node.put(1, blob(1, 1, 300)).result, ResultCode.ok)             // v1, no TTL
        XCTAssertEqual(node.put(1, blob(1, 2, 300), ttl: 10).result, ResultCode.ok)    // v2, 10 s
        XCTAssertEqual(node.put(1, blob(1, 3, 300)).result, ResultCode.ok)             // v3, no TTL
        XCTAssertTrue(node.store.flush())
        let later = node.restarted(clockAhead: 100)   // v2 has expired by now; v3 has not
        XCTAssertEqual(later.get(1).bins["v"], blob(1, 3, 300))
        XCTAssertTrue(later.store.flush())
        let again = later.restarted(clockAhead: 200)
        XCTAssertEqual(again.get(1).result, ResultCode.ok, "v3 must survive the second start")
        XCTAssertEqual(again.get(1).bins["v"], blob(1, 3, 300))
    }

    // MARK: compression

    /// Compressible records take far fewer device bytes compressed, and come back whole through
    /// a cold start and reads from the file; overwrites of compressed records work too.
    func testCompressedRecordsRoundTripThroughTheFile() {
        func value(_ k: Int, _ v: Int) -> [UInt8] { [UInt8](repeating: UInt8(k + v), count: 2048) + blob(k, v, 8) }
        var live: [Bool: Int] = [:]
        for compress in [false, true] {
            let node = Node(FaultyFile(size: 2 << 20), options(block: 16 << 10, compress: compress))
            for k in 0..<200 { XCTAssertEqual(node.put(k, value(k, 1)).result, ResultCode.ok) }
            for k in 0..<10 { XCTAssertEqual(node.put(k, value(k, 2)).result, ResultCode.ok) }
            XCTAssertTrue(node.store.flush())
            live[compress] = node.store.liveBytes
            XCTAssertEqual(node.stub(3).map { RecordStub.isCompressed($0) }, compress)
            let restarted = node.restarted()
            XCTAssertEqual(restarted.store.liveBytes, node.store.liveBytes, "compress \(compress): live bytes after a restart")
            let readsBefore = restarted.file.reads
            for k in 0..<200 {
                let r = restarted.get(k)
                XCTAssertEqual(r.result, ResultCode.ok)
                XCTAssertEqual(r.generation, k < 10 ? 2 : 1)
                XCTAssertEqual(r.bins["v"], value(k, k < 10 ? 2 : 1), "compress \(compress): key \(k)")
            }
            XCTAssertGreaterThan(restarted.file.reads, readsBefore, "reads went to the file")
            XCTAssertEqual(restarted.put(5, value(5, 3)).generation, 3)
            XCTAssertEqual(restarted.get(5).bins["v"], value(5, 3))
        }
        XCTAssertLessThan(live[true]! * 10, live[false]!, "compressed \(live[true]!) bytes, plain \(live[false]!)")
    }
}
