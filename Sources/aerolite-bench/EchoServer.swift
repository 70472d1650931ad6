#if canImport(Glibc)
import Glibc
#endif
import CAeroSys
import AeroWire

/// The do-nothing baseline: same threading and socket handling as Aerolite (epoll,
/// level-triggered, one loop per thread), answering every frame with a canned OK reply.
enum EchoServer {
    static func run(port: Int, threads: Int) {
        signal(SIGPIPE, SIG_IGN)
        // One SO_REUSEPORT listener per thread: the kernel spreads connections evenly.
        var listeners: [Int32] = []
        for _ in 0..<max(1, threads) { listeners.append(listenSocket(port)) }
        print("echo: listening on 127.0.0.1:\(port)")
        for l in listeners.dropFirst() {
            var tid = pthread_t()
            let arg = UnsafeMutablePointer<Int32>.allocate(capacity: 1); arg.pointee = l
            pthread_create(&tid, nil, { a in
                EchoServer.loop(listener: a!.assumingMemoryBound(to: Int32.self).pointee)
                return nil
            }, arg)
        }
        loop(listener: listeners[0])
    }

    static func listenSocket(_ port: Int) -> Int32 {
        let lfd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, 4)
        setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, 4)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(lfd, $0, 16) } }
        guard rc == 0, listen(lfd, 1024) == 0 else { print("echo: cannot listen on \(port)"); exit(1) }
        _ = fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK)
        return lfd
    }

    static func loop(listener: Int32) {
        let ep = aero_epoll_create()
        _ = aero_epoll_add(ep, listener, AERO_EPOLLIN, UInt64(1) << 40)
        var inputs: [Int32: WireBuffer] = [:]
        let reply = WireBuffer(capacity: 64)
        reply.appendHeaderOnlyReply(result: 0, generation: 1)
        var events = [UInt32](repeating: 0, count: 256), datas = [UInt64](repeating: 0, count: 256)
        let out = WireBuffer(capacity: 64 * 1024)
        while true {
            let n = aero_epoll_wait(ep, &events, &datas, 256, -1)
            for i in 0..<Int(max(n, 0)) {
                if datas[i] == UInt64(1) << 40 {
                    while true {
                        let fd = aero_accept_nonblocking(listener)
                        if fd < 0 { break }
                        var one: Int32 = 1
                        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, 4)
                        inputs[fd] = WireBuffer(capacity: 16 * 1024)
                        _ = aero_epoll_add(ep, fd, AERO_EPOLLIN, UInt64(fd))
                    }
                    continue
                }
                let fd = Int32(datas[i])
                guard let input = inputs[fd] else { continue }
                input.reserve(16 * 1024)
                let r = recv(fd, input.base + input.count, input.capacity - input.count, 0)
                if r <= 0 { _ = aero_epoll_del(ep, fd); close(fd); inputs[fd] = nil; continue }
                input.count += r
                out.reset()
                var consumed = 0
                while input.count - consumed >= 8 {
                    let h = ProtoHeader(UnsafeRawBufferPointer(start: input.base + consumed, count: 8))
                    guard input.count - consumed >= 8 + h.size else { break }
                    consumed += 8 + h.size
                    out.append(reply.bytes)
                }
                input.discardFront(consumed)
                var sent = 0
                while sent < out.count {
                    let w = send(fd, out.base + sent, out.count - sent, Int32(MSG_NOSIGNAL))
                    if w <= 0 { break }
                    sent += w
                }
            }
        }
    }
}
