import Synchronization

/// A scan/query job as `query-show` lists it.
public final class Job: @unchecked Sendable {
    public let trid: UInt64
    public let ns: String
    public let set: String
    public let partitions: Int
    public let startMs: Int64
    /// Set after registration by whoever knows (the query's index, the client's address...).
    public var indexName: String?
    public var resumed = 0
    public var from = "unknown"
    public var socketTimeout: UInt32 = 0
    public let succeeded = Atomic<Int>(0)
    private let finishedMs = Atomic<Int64>(0)

    init(trid: UInt64, ns: String, set: String, partitions: Int, startMs: Int64) {
        self.trid = trid; self.ns = ns; self.set = set; self.partitions = partitions; self.startMs = startMs
    }
    public var isDone: Bool { finishedMs.load(ordering: .relaxed) != 0 }
    func finish() { finishedMs.store(monotonicMs(), ordering: .relaxed) }

    /// The `query-show` line for this job.
    public func describe() -> String {
        let now = monotonicMs()
        let end = finishedMs.load(ordering: .relaxed)
        let runTime = (end != 0 ? end : now) - startMs
        let sinceDone = end != 0 ? now - end : 0
        let status = end != 0 ? "done(ok)" : "active(ok)"
        let progress = end != 0 ? "100.00" : "0.00"
        var s = "trid=\(trid):ns=\(ns)"
        if !set.isEmpty { s += ":set=\(set)" }
        if let index = indexName { s += ":sindex-name=\(index)" }
        s += ":n-pids-requested=\(partitions):n-keyds-requested=\(resumed):rps=0:active-threads=0:status=\(status):job-progress=\(progress)"
        s += ":run-time=\(runTime):time-since-done=\(sinceDone):recs-throttled=0:recs-filtered-meta=0"
        s += ":recs-filtered-bins=0:recs-succeeded=\(succeeded.load(ordering: .relaxed)):recs-failed=0:from=\(from)"
        s += ":job-type=basic:net-io-bytes=0:net-io-time=0:socket-timeout=\(socketTimeout)"
        return s
    }
}

/// Recent jobs, newest last; bounded so a busy server doesn't grow without limit.
public final class JobTable: @unchecked Sendable {
    private let lock = Lock()
    private var jobs: [Job] = []
    private let keep = 100

    public init() {}

    func register(trid: UInt64, ns: String, set: String, partitions: Int) -> Job {
        let j = Job(trid: trid, ns: ns, set: set, partitions: partitions, startMs: monotonicMs())
        lock.withLock {
            jobs.append(j)
            if jobs.count > keep { jobs.removeFirst(jobs.count - keep) }
        }
        return j
    }
    public func find(_ trid: UInt64) -> Job? { lock.withLock { jobs.last { $0.trid == trid } } }
    public var all: [Job] { lock.withLock { jobs } }
}

#if canImport(Glibc)
import Glibc
#endif
public func monotonicMs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}
