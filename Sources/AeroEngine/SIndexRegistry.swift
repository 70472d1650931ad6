#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The secondary indexes of a namespace. The list is replaced (copy-on-write) under `lock`
/// and read without it on the write path through `current`.
public final class SIndexRegistry: @unchecked Sendable {
    public static let maxIndexes = 256
    private let lock = Lock()
    private var indexes: [SIndex] = []
    /// Fast check for the write path.
    let count = Atomic<Int>(0)

    public init() {}

    public var all: [SIndex] { lock.withLock { indexes } }
    public func find(name: String) -> SIndex? { lock.withLock { indexes.first { $0.def.name == name } } }

    func add(_ s: SIndex) -> SIndexError? {
        lock.withLock {
            if let old = indexes.first(where: { $0.def.name == s.def.name }) {
                return old.def == s.def ? nil : SIndexError(200, "'\(s.def.name)' already exists with different definition")
            }
            guard indexes.count < SIndexRegistry.maxIndexes else { return SIndexError(206, "too many indexes") }
            indexes.append(s)
            count.store(indexes.count, ordering: .relaxed)
            return nil
        }
    }
    @discardableResult
    func remove(name: String) -> SIndex? {
        lock.withLock {
            guard let i = indexes.firstIndex(where: { $0.def.name == name }) else { return nil }
            let s = indexes.remove(at: i)
            count.store(indexes.count, ordering: .relaxed)
            s.dropped.store(true, ordering: .relaxed)
            return s
        }
    }
}

extension Namespace {
    /// Keeps every index exact when a record changes: `old` leaves, `new` arrives.
    /// Caller holds the partition lock.
    @inline(__always) func indexRecord(old: RecordRef?, new: RecordRef?, _ d: Digest) {
        guard sindexes.count.load(ordering: .relaxed) > 0 else { return }
        var was: [Int64] = [], now: [Int64] = []
        for s in sindexes.all { s.replace(old: old, new: new, d, was: &was, now: &now) }
    }
}

extension Engine {
    /// `sindex-create`: registers the index (or finds the identical one) and builds it over
    /// the existing records on a background thread, reporting `load_pct` as it goes.
    public func createIndex(_ def: SIndexDef, persist: Bool = true) -> SIndexError? {
        guard let ns = namespace(named: def.ns) else { return SIndexError(20, "namespace not found") }
        if let existing = ns.sindexes.find(name: def.name) {
            return existing.def == def ? nil : SIndexError(200, "'\(def.name)' already exists with different definition")
        }
        var setID: UInt16? = nil
        if let set = def.set {
            guard let info = Array(set.utf8).withUnsafeBytes({ ns.sets.intern($0) }) else { return SIndexError(4, "too many sets") }
            setID = info.id
        }
        let s = SIndex(def: def, setID: setID)
        if let e = ns.sindexes.add(s) { return e }
        if persist { saveIndexDefinitions() }
        // A small namespace is indexed at once (a few ms); a large one, or one whose records
        // may have to be read from a device file, on a background thread, reporting load_pct,
        // with queries answered 203 until it is done.
        if ns.objects.load(ordering: .relaxed) <= 50_000 && ns.device?.readsMayHitFile != true {
            build(s, ns)
        } else {
            spawnThread(name: "sindex-build") { [self] in self.build(s, ns) }
        }
        return nil
    }

    public func dropIndex(ns nsName: String, name: String) {
        guard let ns = namespace(named: nsName), ns.sindexes.remove(name: name) != nil else { return }
        saveIndexDefinitions()
    }

    /// Fills a new index from every record, one partition at a time.
    func build(_ s: SIndex, _ ns: Namespace) {
        let start = monotonicMs()
        var scratch: [Int64] = []
        for (i, p) in ns.partitions.enumerated() {
            if s.dropped.load(ordering: .relaxed) { return }
            p.lock.lock()
            p.table.forEach { d, entry in
                if let r = ns.image(entry, d) { s.update(r, d, sign: 1, scratch: &scratch) }
            }
            p.lock.unlock()
            let pct = (i + 1) * 100 / ns.partitions.count
            if pct < 100 { s.loadPct.store(pct, ordering: .relaxed) }
        }
        s.loadTimeMs.store(monotonicMs() - start, ordering: .relaxed)
        s.loadPct.store(100, ordering: .releasing)
    }

    /// Index definitions live in `<work-directory>/sindex.defs`, one create command a line.
    func saveIndexDefinitions() {
        guard let dir = udf.directory else { return }
        let path = dir + "/../sindex.defs"
        let lines = namespaces.flatMap { $0.sindexes.all.map(\.def.createCommand) }
        _ = writeFile(path, Array((lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")).utf8))
    }

    /// Recreates (and rebuilds) the indexes kept by an earlier run.
    public func loadIndexDefinitions(parse: (String) -> SIndexDef?) {
        guard let dir = udf.directory, let text = readFile(dir + "/../sindex.defs") else { return }
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") {
            if let def = parse(String(line)) { _ = createIndex(def, persist: false) }
        }
    }
}
