#if canImport(Glibc)
import Glibc
#endif
import CAeroSys
import AeroWire

/// The UDF module registry: modules live as files in `<work-directory>/udf/` so they
/// survive a restart. Execution is not implemented; the registry is what the clients'
/// udf_put / udf_list / udf_get / udf_remove use.
public final class UDFRegistry: @unchecked Sendable {
    public struct Module: Sendable {
        public var name: String
        public var content: [UInt8]
        public var sha1Hex: String
    }

    private let lock = Lock()
    private var modules: [String: Module] = [:]
    public let directory: String?

    public init(directory: String?) {
        self.directory = directory
        guard let directory else { return }
        makeDirectories(directory)
        loadAll()
    }

    public func list() -> [Module] { lock.withLock { modules.values.sorted { $0.name < $1.name } } }
    public func get(_ name: String) -> Module? { lock.withLock { modules[name] } }

    /// Stores a module; false when the file cannot be written.
    public func put(name: String, content: [UInt8]) -> Bool {
        let m = Module(name: name, content: content, sha1Hex: UDFRegistry.listHash(name: name, content: content))
        if let directory {
            guard writeFile(directory + "/" + name, content) else { return false }
        }
        lock.withLock { modules[name] = m }
        return true
    }

    public func remove(_ name: String) -> Bool {
        let existed = lock.withLock { modules.removeValue(forKey: name) != nil }
        if existed, let directory { unlink(directory + "/" + name) }
        return existed
    }

    /// The hash `udf-list` shows: the real server hashes the metadata record it keeps for the
    /// module (JSON of its base64 content, type and name), not the file itself.
    public static func listHash(name: String, content: [UInt8]) -> String {
        let json = "{\"content64\": \"\(Base64.encode(content))\", \"type\": \"LUA\", \"name\": \"\(name)\"}"
        return sha1Hex(Array(json.utf8))
    }

    public static func sha1Hex(_ b: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 20)
        b.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { aero_sha1(src.baseAddress, src.count, $0.baseAddress) } }
        let hex = Array("0123456789abcdef".utf8)
        var s = [UInt8]()
        for x in out { s.append(hex[Int(x >> 4)]); s.append(hex[Int(x & 15)]) }
        return String(decoding: s, as: UTF8.self)
    }

    private func loadAll() {
        guard let directory, let dir = opendir(directory) else { return }
        defer { closedir(dir) }
        while let ent = readdir(dir) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard !name.hasPrefix("."), let content = readFile(directory + "/" + name) else { continue }
            modules[name] = Module(name: name, content: content, sha1Hex: UDFRegistry.listHash(name: name, content: content))
        }
    }
}

/// mkdir -p.
func makeDirectories(_ path: String) {
    var partial = path.hasPrefix("/") ? "" : "."
    for comp in path.split(separator: "/") {
        partial += "/" + comp
        mkdir(partial, 0o755)
    }
}

/// Writes a file whole through a temporary and a rename; `syncDirectory` also makes the
/// rename durable.
func writeFile(_ path: String, _ content: [UInt8], syncDirectory: Bool = false) -> Bool {
    let tmp = path + ".tmp"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { return false }
    var ok = true
    content.withUnsafeBytes { b in
        var off = 0
        while off < b.count {
            let n = write(fd, b.baseAddress! + off, b.count - off)
            if n <= 0 { ok = false; break }
            off += n
        }
    }
    ok = ok && fsync(fd) == 0
    close(fd)
    guard ok && rename(tmp, path) == 0 else { return false }
    guard syncDirectory else { return true }
    let dir = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY)
    guard dfd >= 0 else { return false }
    defer { close(dfd) }
    return fsync(dfd) == 0
}

func readFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out = [UInt8]()
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 { return nil }
        if n == 0 { break }
        out.append(contentsOf: buf[0..<n])
    }
    return out
}
