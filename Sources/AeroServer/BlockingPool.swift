import Dispatch
import Synchronization
import AeroEngine

/// Threads for requests that may block on a device read, so an event loop never waits for
/// the disk. Each worker has its own transaction scratch and request router. A connection
/// hands over one step at a time (a request, or a stream's next fill) and is parked on its
/// reactor until the step is done, so its answers stay in order.
final class BlockingPool: @unchecked Sendable {
    typealias Job = (RequestRouter, TxnContext) -> Void
    private let lock = Lock()
    private var jobs: [Job] = []
    private var head = 0
    /// Counts jobs waiting, so each submit wakes one worker.
    private let ready = DispatchSemaphore(value: 0)

    func start(threads: Int, server: Server) {
        for i in 0..<threads {
            let router = RequestRouter(server: server)
            let ctx = TxnContext()
            spawnThread(name: "blocking-\(i)") { [self, unowned server] in
                // Jobs still queued at shutdown run too (their connections are closing, but a
                // clean stop waits for `running` to reach zero before the last flush).
                while !server.stopping.load(ordering: .relaxed) || running.load(ordering: .acquiring) > 0 {
                    guard ready.wait(timeout: .now() + .milliseconds(50)) == .success, let job = take() else { continue }
                    job(router, ctx)
                    running.subtract(1, ordering: .releasing)
                }
            }
        }
    }

    /// Jobs submitted and not finished (a clean shutdown waits for them).
    let running = Atomic<Int>(0)

    func submit(_ job: @escaping Job) {
        running.add(1, ordering: .relaxed)
        lock.withLock { jobs.append(job) }
        ready.signal()
    }

    private func take() -> Job? {
        lock.withLock {
            guard head < jobs.count else { return nil }
            let j = jobs[head]
            head += 1
            if head == jobs.count { jobs.removeAll(keepingCapacity: true); head = 0 }
            return j
        }
    }
}
