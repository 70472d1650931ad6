#if canImport(Glibc)
import Glibc
#endif
import CAeroSys
import AeroWire
import AeroEngine
import Synchronization

/// One event loop thread: its own epoll set, its connections, its scratch buffers.
/// Requests are framed, executed and answered on this thread; nothing here blocks.
final class Reactor: @unchecked Sendable {
    let id: Int
    let server: Server
    let epfd: Int32
    let wakeFD: Int32
    private var connections: [Connection?] = []
    let ctx = TxnContext()
    let router: RequestRouter
    /// Sockets accepted by another reactor and handed to this one (guarded by inboxLock).
    private let inboxLock = Lock()
    private var inbox: [Int32] = []
    /// Connections whose pool step finished: (connection, input bytes it consumed, keep open).
    private var finished: [(Connection, Int, Bool)] = []

    private static let listenerTag: UInt64 = 1 << 62
    private static let wakeTag: UInt64 = 1 << 61

    init(id: Int, server: Server) {
        self.id = id
        self.server = server
        epfd = aero_epoll_create()
        wakeFD = aero_eventfd()
        router = RequestRouter(server: server)
        _ = aero_epoll_add(epfd, wakeFD, AERO_EPOLLIN, Reactor.wakeTag)
    }

    func addListener(_ fd: Int32) {
        _ = aero_epoll_add(epfd, fd, AERO_EPOLLIN | AERO_EPOLLEXCLUSIVE, Reactor.listenerTag | UInt64(fd))
    }

    func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    func run() {
        var events = [UInt32](repeating: 0, count: 256)
        var datas = [UInt64](repeating: 0, count: 256)
        while !server.stopping.load(ordering: .relaxed) {
            let n = aero_epoll_wait(epfd, &events, &datas, 256, nextTimeout())
            if n < 0 { if errno == EINTR { continue }; break }
            for i in 0..<Int(n) {
                let tag = datas[i]
                if tag & Reactor.listenerTag != 0 {
                    acceptAll(Int32(truncatingIfNeeded: tag & 0xFFFF_FFFF))
                } else if tag == Reactor.wakeTag {
                    var v: UInt64 = 0
                    _ = read(wakeFD, &v, 8)
                    adoptInbox()
                    adoptFinished()
                } else {
                    let fd = Int(tag)
                    guard fd < connections.count, let c = connections[fd] else { continue }
                    serve(c, events: events[i])
                }
            }
            resumeThrottled()
        }
        for case let c? in connections { close(c) }
        exited.store(true, ordering: .releasing)
    }

    /// Set when `run` has returned: nothing more is answered on this loop.
    let exited = Atomic<Bool>(false)

    /// Accepts every pending connection and deals them out round-robin, so a burst of
    /// connects spreads over all reactors instead of landing on whichever woke first.
    private func acceptAll(_ listener: Int32) {
        while true {
            let fd = aero_accept_nonblocking(listener)
            if fd < 0 { return }
            if !server.admitConnection() {
                Log.warning("service", "proto-fd-max reached: refusing connection")
                Glibc.close(fd)
                continue
            }
            Socket.configureClient(fd)
            let target = server.nextReactor()
            if target === self { register(fd) } else { target.handOff(fd) }
        }
    }

    /// Called from another reactor's thread.
    func handOff(_ fd: Int32) {
        inboxLock.withLock { inbox.append(fd) }
        wake()
    }

    private func adoptInbox() {
        let fds = inboxLock.withLock { () -> [Int32] in
            let taken = inbox
            inbox.removeAll(keepingCapacity: true)
            return taken
        }
        for fd in fds { register(fd) }
    }

    private func register(_ fd: Int32) {
        do {
            let c = Connection(fd: fd)
            if Int(fd) >= connections.count {
                connections.append(contentsOf: [Connection?](repeating: nil, count: Int(fd) + 64 - connections.count))
            }
            connections[Int(fd)] = c
            _ = aero_epoll_add(epfd, fd, AERO_EPOLLIN | AERO_EPOLLRDHUP, UInt64(fd))
        }
    }

    private func serve(_ c: Connection, events: UInt32) {
        if c.busy { return }  // parked (one-shot): its events are looked at when the step is back
        if events & (AERO_EPOLLERR | AERO_EPOLLHUP) != 0 { close(c); return }
        if events & AERO_EPOLLOUT != 0 {
            guard flush(c) else { return }
            if c.closeWhenIdle && !c.hasPendingOutput { close(c); return }
        }
        if events & AERO_EPOLLIN != 0 || events & AERO_EPOLLRDHUP != 0 {
            switch readAvailable(c) {
            case .open: break
            case .failed: close(c); return
            case .endOfInput:
                // The peer finished sending: answer what it sent, then hang up (once a step
                // on the blocking pool, if one runs, is back).
                process(c)
                guard !c.busy else { c.closeWhenIdle = true; return }
                guard flush(c) else { return }
                if c.hasPendingOutput { c.closeWhenIdle = true; return }  // hang up once it is sent
                close(c)
                return
            }
        }
        process(c)
    }

    enum ReadState { case open, endOfInput, failed }

    /// Reads what the socket has.
    private func readAvailable(_ c: Connection) -> ReadState {
        while true {
            c.input.reserve(16 * 1024)
            let room = c.input.capacity - c.input.count
            let n = recv(c.fd, c.input.base + c.input.count, room, 0)
            if n > 0 {
                c.input.count += n
                if n < room { return .open }
                continue
            }
            if n == 0 { return .endOfInput }
            if errno == EAGAIN || errno == EWOULDBLOCK { return .open }
            if errno == EINTR { continue }
            return .failed
        }
    }

    /// Answers every complete frame in the input, in order, then writes.
    private func process(_ c: Connection) {
        while !c.closed && !c.busy {
            if let s = c.stream {
                // Stream a scan: add frames while the socket keeps up.
                if c.hasPendingOutput { break }
                if s.resumeAtMs > monotonicMs() {
                    // records_per_second: come back when the stream may go on.
                    if !throttled.contains(where: { $0 === c }) { throttled.append(c) }
                    break
                }
                if s.mayReadFile { offloadStream(c, s); return }
                c.output.reset(); c.written = 0
                s.fill(c.output, ctx: ctx, target: 128 * 1024)
                if c.streamCompressed { router.compressFrames(c.output, from: 0) }
                if s.done { c.stream = nil }
                guard flush(c) else { return }
                continue
            }
            if c.hasPendingOutput { break }
            let b = c.input.bytes
            guard b.count >= 8 else { break }
            let header = ProtoHeader(b)
            guard header.isAcceptable else {
                Log.debug("proto", "closing connection: bad proto header v\(header.version) t\(header.type) size \(header.size)")
                close(c); return
            }
            let total = 8 + header.size
            guard b.count >= total else {
                c.input.reserve(total - b.count)
                break
            }
            if c.output.count == c.written { c.output.reset(); c.written = 0 }
            let body = UnsafeRawBufferPointer(rebasing: b[8..<total])
            if (header.type == ProtoType.message && server.engine.mayReadFile(body))
                || (header.type == ProtoType.compressed && server.engine.mayReadFile(body, inflated: false)) {
                offloadFrame(c, header, body, consumed: total)
                return
            }
            let keep = router.handle(header, UnsafeRawBufferPointer(rebasing: b[8..<total]), conn: c, ctx: ctx)
            c.input.discardFront(total)
            guard keep else { _ = flush(c); close(c); return }
            guard flush(c) else { return }
        }
        updateInterest(c)
    }

    // MARK: steps that may block on the disk

    /// Runs one request on the blocking pool; the connection is parked until it is back.
    private func offloadFrame(_ c: Connection, _ header: ProtoHeader, _ body: UnsafeRawBufferPointer, consumed: Int) {
        park(c)
        server.blockingPool.submit { [self] router, ctx in
            let keep = router.handle(header, body, conn: c, ctx: ctx)
            stepFinished(c, consumed: consumed, keep: keep)
        }
    }

    /// Runs a stream's next fill on the blocking pool.
    private func offloadStream(_ c: Connection, _ s: any RecordStream) {
        park(c)
        server.blockingPool.submit { [self] router, ctx in
            c.output.reset(); c.written = 0
            s.fill(c.output, ctx: ctx, target: 128 * 1024)
            if c.streamCompressed { router.compressFrames(c.output, from: 0) }
            if s.done { c.stream = nil }
            stepFinished(c, consumed: 0, keep: true)
        }
    }

    /// Stops watching a connection while a pool thread works for it (one-shot with no events:
    /// a hang-up is reported once, and seen again when it is re-armed).
    private func park(_ c: Connection) {
        c.busy = true
        _ = aero_epoll_mod(epfd, c.fd, AERO_EPOLLONESHOT, UInt64(c.fd))
    }

    /// Called on a pool thread when a step is done.
    private func stepFinished(_ c: Connection, consumed: Int, keep: Bool) {
        inboxLock.withLock { finished.append((c, consumed, keep)) }
        wake()
    }

    private func adoptFinished() {
        let done = inboxLock.withLock { () -> [(Connection, Int, Bool)] in
            let taken = finished
            finished.removeAll(keepingCapacity: true)
            return taken
        }
        for (c, consumed, keep) in done {
            c.busy = false
            guard !c.closed else { continue }
            c.input.discardFront(consumed)
            // Re-arm for whatever it waits on now.
            c.wantsWrite = c.hasPendingOutput
            _ = aero_epoll_mod(epfd, c.fd, c.wantsWrite ? AERO_EPOLLOUT : (AERO_EPOLLIN | AERO_EPOLLRDHUP), UInt64(c.fd))
            guard keep else { _ = flush(c); close(c); continue }
            if flush(c) { process(c) }
            if c.closeWhenIdle && !c.busy && !c.closed && flush(c) && !c.hasPendingOutput { close(c) }
        }
    }

    /// Connections whose stream is throttled, waiting for their time.
    private var throttled: [Connection] = []

    /// epoll timeout: the nearest throttled stream's time, else a second.
    private func nextTimeout() -> Int32 {
        guard !throttled.isEmpty else { return 1000 }
        let now = monotonicMs()
        let soonest = throttled.map { $0.stream?.resumeAtMs ?? now }.min() ?? now
        return Int32(max(0, min(1000, soonest - now)))
    }

    private func resumeThrottled() {
        guard !throttled.isEmpty else { return }
        let now = monotonicMs()
        let due = throttled.filter { $0.closed || ($0.stream?.resumeAtMs ?? 0) <= now }
        throttled.removeAll { c in due.contains { $0 === c } }
        for c in due where !c.closed && !c.busy { process(c) }
    }

    /// Writes pending output. Returns false when the connection was closed.
    @discardableResult
    private func flush(_ c: Connection) -> Bool {
        while c.hasPendingOutput {
            let n = send(c.fd, c.output.base + c.written, c.output.count - c.written, Int32(MSG_NOSIGNAL))
            if n > 0 { c.written += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            if n < 0 && errno == EINTR { continue }
            close(c); return false
        }
        if !c.hasPendingOutput { c.output.reset(); c.written = 0 }
        updateInterest(c)
        return true
    }

    /// Level-triggered: read while nothing is queued to write; write-wait otherwise
    /// (a client that doesn't read its answers stops being read: backpressure).
    private func updateInterest(_ c: Connection) {
        guard !c.closed else { return }
        let wantWrite = c.hasPendingOutput
        if wantWrite != c.wantsWrite {
            c.wantsWrite = wantWrite
            let ev = wantWrite ? AERO_EPOLLOUT : (AERO_EPOLLIN | AERO_EPOLLRDHUP)
            _ = aero_epoll_mod(epfd, c.fd, ev, UInt64(c.fd))
        }
    }

    private func close(_ c: Connection) {
        guard !c.closed else { return }
        c.closed = true
        _ = aero_epoll_del(epfd, c.fd)
        Glibc.close(c.fd)
        connections[Int(c.fd)] = nil
        server.releaseConnection()
    }
}
