#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import AeroConfig
import AeroServer

struct Aerolite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aerolite",
        abstract: "A single-node database server that speaks the Aerospike wire protocol.")

    @Option(name: .long, help: "Path to an aerospike.conf-style configuration file.")
    var config: String = "/etc/aerospike/aerospike.conf"

    @Option(name: .long, help: "Override the service port from the configuration.")
    var port: Int?

    @Flag(name: .long, help: "Enable the test-clock-advance info command (tests move time forward).")
    var testClock = false

    func run() throws {
        guard let text = readText(config) else {
            printError("aerolite: cannot read config file '\(config)': \(String(cString: strerror(errno)))")
            throw ExitCode(1)
        }
        var cfg: Configuration
        do {
            cfg = try Configuration.parse(text, file: config)
        } catch {
            printError("aerolite: \(error)")
            throw ExitCode(1)
        }
        if let port { cfg.port = port }
        Log.setLevel(cfg.logLevel)
        for w in cfg.warnings { Log.warning("config", w) }

        // Signals are taken synchronously by this thread; every other thread inherits the mask.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)

        let server = Server(config: cfg, testClock: testClock)
        do {
            try server.start()
        } catch {
            Log.critical("service", "cannot start: \(error)")
            throw ExitCode(1)
        }
        for ns in cfg.namespaces {
            Log.info("namespace", "{\(ns.name)} \(ns.storageEngine) storage, data-size \(ns.dataSize ?? (4 << 30)), default-ttl \(ns.defaultTTL), nsup-period \(ns.nsupPeriod)")
        }
        Log.info("service", "listening on \(cfg.address):\(server.port) with \(server.reactorCount) reactor thread(s)")
        Log.info("partition", "{\(cfg.namespaces.map(\.name).joined(separator: ","))} migrations: complete")

        var sig: Int32 = 0
        sigwait(&set, &sig)
        Log.info("service", "caught signal \(sig): shutting down")
        server.stop()
        Log.info("service", "finished clean shutdown - exiting")
    }
}

func printError(_ s: String) {
    let bytes = Array((s + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

func readText(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var bytes = [UInt8]()
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n > 0 { bytes.append(contentsOf: buf[0..<n]) }
        if n < buf.count { break }
    }
    return String(decoding: bytes, as: UTF8.self)
}

Aerolite.main()
