#if canImport(Glibc)
import Glibc
#endif
import CAeroSys
import AeroWire

/// Closed-loop load: N connections, each with one request in flight (like a synchronous
/// client), spread over worker threads that each run an epoll loop.
final class LoadGenerator: @unchecked Sendable {
    let o: Options
    let factory: RequestFactory

    struct WorkerResult { var ops = 0; var errors = 0; var latenciesNs: [UInt32] = [] }

    init(_ o: Options) {
        self.o = o
        factory = RequestFactory(namespace: o.namespace, valueSize: o.valueSize)
    }

    static func connect(_ host: String, _ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr(host)
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, 16) } }
        if rc != 0 { print("bench: cannot connect to \(host):\(port)"); exit(1) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, 4)
        return fd
    }

    /// Writes every key once over one connection (so reads hit).
    func preload() {
        let fd = LoadGenerator.connect(o.host, o.port)
        let out = WireBuffer(), input = WireBuffer()
        let batch = 64
        var k = 0
        while k < o.keys {
            out.reset()
            let n = min(batch, o.keys - k)
            for j in 0..<n { factory.put(out, key: k + j) }
            sendAll(fd, out)
            var replies = 0
            input.reset()
            while replies < n {
                input.reserve(64 * 1024)
                let r = recv(fd, input.base + input.count, input.capacity - input.count, 0)
                if r <= 0 { print("bench: preload connection lost"); exit(1) }
                input.count += r
                replies = countFrames(input)
            }
            k += n
        }
        close(fd)
    }

    func sendAll(_ fd: Int32, _ b: WireBuffer) {
        var sent = 0
        while sent < b.count {
            let w = send(fd, b.base + sent, b.count - sent, Int32(MSG_NOSIGNAL))
            if w <= 0 { print("bench: send failed"); exit(1) }
            sent += w
        }
    }

    func countFrames(_ b: WireBuffer) -> Int {
        var at = 0, n = 0
        while b.count - at >= 8 {
            let h = ProtoHeader(UnsafeRawBufferPointer(start: b.base + at, count: 8))
            guard b.count - at >= 8 + h.size else { break }
            at += 8 + h.size; n += 1
        }
        return n
    }

    func run() {
        if o.preload { preload() }
        let threads = max(1, min(o.threads, o.connections))
        let results = UnsafeMutablePointer<WorkerResult>.allocate(capacity: threads)
        results.initialize(repeating: WorkerResult(), count: threads)
        var tids: [pthread_t] = []
        final class Arg { let gen: LoadGenerator; let index: Int; let conns: Int; let out: UnsafeMutablePointer<WorkerResult>
            init(_ g: LoadGenerator, _ i: Int, _ c: Int, _ o: UnsafeMutablePointer<WorkerResult>) { gen = g; index = i; conns = c; out = o } }
        for t in 0..<threads {
            let conns = o.connections / threads + (t < o.connections % threads ? 1 : 0)
            let arg = Unmanaged.passRetained(Arg(self, t, conns, results + t)).toOpaque()
            var tid = pthread_t()
            pthread_create(&tid, nil, { a in
                let arg = Unmanaged<Arg>.fromOpaque(a!).takeRetainedValue()
                arg.out.pointee = arg.gen.worker(seed: UInt64(arg.index + 1), connections: arg.conns)
                return nil
            }, arg)
            tids.append(tid)
        }
        for t in tids { pthread_join(t, nil) }
        var total = WorkerResult()
        for t in 0..<threads {
            total.ops += results[t].ops; total.errors += results[t].errors
            total.latenciesNs.append(contentsOf: results[t].latenciesNs)
        }
        total.latenciesNs.sort()
        func pct(_ p: Double) -> Double {
            guard !total.latenciesNs.isEmpty else { return 0 }
            let i = min(total.latenciesNs.count - 1, Int(Double(total.latenciesNs.count) * p))
            return Double(total.latenciesNs[i]) / 1000
        }
        let opsPerSec = Double(total.ops) / o.seconds
        print("result label=\(o.label) connections=\(o.connections) ops_per_sec=\(Int(opsPerSec)) errors=\(total.errors) p50_us=\(fmt(pct(0.5))) p99_us=\(fmt(pct(0.99))) p999_us=\(fmt(pct(0.999)))")
    }

    func fmt(_ x: Double) -> String { String(Int(x * 10) / 10) + "." + String(Int(x * 10) % 10) }

    /// One worker: its connections, each cycling send -> wait for reply -> record latency.
    func worker(seed: UInt64, connections: Int) -> WorkerResult {
        var result = WorkerResult()
        result.latenciesNs.reserveCapacity(1 << 20)
        let ep = aero_epoll_create()
        var fds: [Int32] = [], outs: [WireBuffer] = [], ins: [WireBuffer] = [], started: [UInt64] = []
        var rng = seed &* 0x9E37_79B9_7F4A_7C15
        func nextRandom() -> UInt64 { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng }
        func nowNs() -> UInt64 { var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts); return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec) }
        func issue(_ i: Int) {
            let out = outs[i]
            out.reset()
            let key = Int(nextRandom() % UInt64(o.keys))
            if Int(nextRandom() % 100) < o.readPct { factory.get(out, key: key) } else { factory.put(out, key: key) }
            started[i] = nowNs()
            sendAll(fds[i], out)
        }
        for i in 0..<connections {
            let fd = LoadGenerator.connect(o.host, o.port)
            fds.append(fd); outs.append(WireBuffer(capacity: 512)); ins.append(WireBuffer(capacity: 4096)); started.append(0)
            _ = aero_epoll_add(ep, fd, AERO_EPOLLIN, UInt64(i))
        }
        let end = nowNs() + UInt64(o.seconds * 1e9)
        for i in 0..<connections { issue(i) }
        var events = [UInt32](repeating: 0, count: 256), datas = [UInt64](repeating: 0, count: 256)
        var now = nowNs()
        while now < end {
            let n = aero_epoll_wait(ep, &events, &datas, 256, 100)
            now = nowNs()
            for e in 0..<Int(max(n, 0)) {
                let i = Int(datas[e])
                let input = ins[i]
                input.reserve(4096)
                let r = recv(fds[i], input.base + input.count, input.capacity - input.count, 0)
                if r <= 0 { print("bench: connection lost"); exit(1) }
                input.count += r
                guard countFrames(input) >= 1 else { continue }
                let rc = input.base.load(fromByteOffset: 8 + 5, as: UInt8.self)
                if rc != 0 && rc != 2 { result.errors += 1 }
                result.ops += 1
                result.latenciesNs.append(UInt32(min(now - started[i], UInt64(UInt32.max))))
                input.reset()
                if now < end { issue(i) }
            }
        }
        for fd in fds { close(fd) }
        return result
    }
}
