#if canImport(Glibc)
import Glibc
#endif

public struct SocketError: Error, CustomStringConvertible {
    public var description: String
}

enum Socket {
    /// A non-blocking listening TCP socket on address:port (IPv4).
    static func listen(address: String, port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(description: "socket(): \(errnoText())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, address, &addr.sin_addr) == 1 else {
            close(fd)
            throw SocketError(description: "bad listen address '\(address)'")
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let e = errnoText(); close(fd)
            throw SocketError(description: "bind \(address):\(port): \(e)")
        }
        guard Glibc.listen(fd, 1024) == 0 else {
            let e = errnoText(); close(fd)
            throw SocketError(description: "listen: \(e)")
        }
        return fd
    }

    /// The port a socket is bound to (for port 0).
    static func boundPort(_ fd: Int32) -> Int {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func configureClient(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// "a.b.c.d+port" of the peer, for job listings.
    static func peerName(_ fd: Int32) -> String {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &len) }
        }
        guard rc == 0 else { return "unknown" }
        var buf = [CChar](repeating: 0, count: 64)
        inet_ntop(AF_INET, &addr.sin_addr, &buf, 64)
        return String(cString: buf) + "+\(UInt16(bigEndian: addr.sin_port))"
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }
