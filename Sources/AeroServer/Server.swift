#if canImport(Glibc)
import Glibc
#endif
import CAeroSys
import AeroConfig
import AeroEngine
import Synchronization

/// The running server: listener, reactors, background threads, shared counters.
public final class Server: @unchecked Sendable {
    public let config: Configuration
    public let engine: Engine
    public let testClock: Bool
    let stopping = Atomic<Bool>(false)
    private(set) var reactors: [Reactor] = []
    /// Threads for requests that may block on a device read (started only with a device namespace).
    let blockingPool = BlockingPool()
    private var listenFD: Int32 = -1
    public private(set) var port = 0
    let nodeID: String
    let clusterKey: String
    private let startMs = monotonicMs()

    private let open = Atomic<Int>(0)
    private let opened = Atomic<Int>(0)
    private let closed = Atomic<Int>(0)

    public init(config: Configuration, testClock: Bool) {
        self.config = config
        self.testClock = testClock
        let namespaces = config.namespaces.map(Server.engineConfig)
        let udfDir = config.workDirectory + "/udf"
        engine = Engine(namespaces: namespaces, clock: Clock(), udf: UDFRegistry(directory: udfDir))
        engine.batchMaxRequests = config.batchMaxRequests
        let id = Server.makeNodeID(port: config.port)
        nodeID = String(id, radix: 16, uppercase: true)
        clusterKey = String((id >> 8) & 0xFFFF_FFFF_FFFF, radix: 16, uppercase: true)
    }

    static func engineConfig(_ s: NamespaceSettings) -> NamespaceConfig {
        var c = NamespaceConfig(name: s.name)
        c.replicationFactor = s.replicationFactor
        c.defaultTTL = s.defaultTTL
        c.nsupPeriod = s.nsupPeriod
        c.allowTTLWithoutNsup = s.allowTTLWithoutNsup
        c.maxRecordSize = s.maxRecordSize
        c.dataSize = s.dataSize ?? (4 << 30)
        c.stopWritesUsedPct = s.stopWritesUsedPct
        c.evictUsedPct = s.evictUsedPct
        c.defaultReadTouchTTLPct = s.defaultReadTouchTTLPct
        c.stopWritesAvailPct = s.stopWritesAvailPct
        c.evictionDisabledSets = s.evictionDisabledSets
        if !s.files.isEmpty {
            var d = NamespaceConfig.Device(files: s.files, fileSize: s.fileSize)
            d.store.blockSize = s.writeBlockSize
            d.store.commitToDevice = s.commitToDevice
            d.store.postWriteCache = s.postWriteCache
            d.store.maxWriteCache = s.maxWriteCache
            d.store.compress = s.compressLZ4
            d.store.compressionLevel = s.compressionLevel
            d.flushMaxMs = s.flushMaxMs
            d.defragLowWaterPct = s.defragLwmPct
            d.defragSleepMicros = s.defragSleepMicros
            d.directFiles = s.directFiles
            d.readPageCache = s.readPageCache
            c.device = d
        }
        return c
    }

    /// A node id stable for the process: derived from the host name and the service port.
    static func makeNodeID(port: Int) -> UInt64 {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, 255)
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in buf where c != 0 { h = (h ^ UInt64(UInt8(bitPattern: c))) &* 0x100_0000_01b3 }
        return (UInt64(0xA) << 56) | ((h & 0xFF_FFFF_FFFF) << 16) | UInt64(port & 0xFFFF)
    }

    public var reactorCount: Int { reactors.count }
    private let nextReactorIndex = Atomic<Int>(0)
    /// Round-robin choice of the reactor that owns a new connection.
    func nextReactor() -> Reactor {
        reactors[nextReactorIndex.add(1, ordering: .relaxed).oldValue % reactors.count]
    }

    /// The address clients should use, when one is configured (empty disables load-balancer detection).
    var accessEndpoint: String {
        guard let a = config.accessAddress else { return "" }
        return "\(a):\(config.accessPort ?? port)"
    }

    /// Binds and starts serving. Returns once every thread runs.
    public func start() throws {
        aero_ignore_sigpipe()
        // Device namespaces come back from their files before anything is served.
        for ns in engine.namespaces where ns.config.device != nil {
            let t0 = monotonicMs()
            try engine.attachDevice(ns)
            let ms = max(1, monotonicMs() - t0)
            let n = ns.objects.load(ordering: .relaxed)
            Log.info("drv", "{\(ns.name)} loaded \(n) records from \(ns.config.device!.files.joined(separator: ", "))"
                     + (ns.device!.direct ? " (direct I/O)" : "") + " in \(ms) ms (\(Int64(n) * 1000 / ms) records/s)")
        }
        engine.loadTruncateCutoffs()
        // Indexes defined by an earlier run are recreated and rebuilt.
        engine.loadIndexDefinitions { line in
            let req = InfoRequest(line)
            guard req.name == "sindex-create", case .success(let def) = SIndexDef.parse(req.params) else { return nil }
            return def
        }
        listenFD = try Socket.listen(address: config.address, port: config.port)
        port = Socket.boundPort(listenFD)
        let n = config.serviceThreads > 0 ? config.serviceThreads : max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        for i in 0..<n {
            let r = Reactor(id: i, server: self)
            r.addListener(listenFD)
            reactors.append(r)
            spawnThread(name: "reactor-\(i)") { r.run() }
        }
        // Requests that may read a device file run here, off the event loops.
        if engine.namespaces.contains(where: { $0.device != nil }) { blockingPool.start(threads: max(4, 4 * n), server: self) }
        engine.startExpiryThreads { [unowned self] in self.stopping.load(ordering: .relaxed) }
        engine.startFlushers { [unowned self] in self.stopping.load(ordering: .relaxed) }
        engine.startDefrag { [unowned self] in self.stopping.load(ordering: .relaxed) }
    }

    public func stop() {
        stopping.store(true, ordering: .relaxed)
        if listenFD >= 0 { close(listenFD); listenFD = -1 }
        for r in reactors { r.wake() }
        // Requests in flight finish on the loops and the blocking pool (for up to 2 s); only
        // then is every device's last block written, so nothing acknowledged is left behind.
        let deadline = monotonicMs() + 2000
        while monotonicMs() < deadline
                && (reactors.contains { !$0.exited.load(ordering: .acquiring) } || blockingPool.running.load(ordering: .acquiring) > 0) {
            usleep(2000)
        }
        engine.flushDevices()
    }

    // MARK: connections

    func admitConnection() -> Bool {
        if open.add(1, ordering: .relaxed).newValue > config.protoFdMax {
            open.subtract(1, ordering: .relaxed)
            return false
        }
        opened.add(1, ordering: .relaxed)
        return true
    }
    func releaseConnection() {
        open.subtract(1, ordering: .relaxed)
        closed.add(1, ordering: .relaxed)
    }
    var openConnections: Int { open.load(ordering: .relaxed) }
    var connectionsOpened: Int { opened.load(ordering: .relaxed) }
    var connectionsClosed: Int { closed.load(ordering: .relaxed) }
    var uptimeSeconds: Int64 { (monotonicMs() - startMs) / 1000 }

    /// Resident set size from /proc/self/statm.
    func residentKB() -> Int {
        let fd = Glibc.open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { Glibc.close(fd) }
        var buf = [UInt8](repeating: 0, count: 128)
        let n = read(fd, &buf, 127)
        guard n > 0 else { return 0 }
        let fields = String(decoding: buf[0..<n], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
    }
}
