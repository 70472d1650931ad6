/// Walks the parsed tree into `Configuration`, one context at a time.
struct ConfigReader {
    let file: String
    var warnings: [String] = []

    init(file: String) { self.file = file }

    mutating func warn(_ n: ConfigNode, _ what: String) {
        warnings.append("\(file):\(n.line): \(what)")
    }
    func fail(_ n: ConfigNode, _ what: String) -> ConfigError {
        ConfigError(file: file, line: n.line, message: what)
    }

    /// Contexts we accept but do not act on (mod-lua, security, ...): keys are not warned about.
    mutating func ignoreContext(_ n: ConfigNode) {
        warn(n, "context '\(n.name)' is accepted but has no effect")
    }

    mutating func unknownKey(_ n: ConfigNode, in context: String) {
        if n.children != nil {
            warn(n, "unknown context '\(n.name)' in '\(context)' ignored")
        } else {
            warn(n, "unknown config parameter '\(n.name)' in '\(context)' ignored")
        }
    }

    // MARK: values

    func value(_ n: ConfigNode) throws(ConfigError) -> String {
        guard n.children == nil, let v = n.values.first else { throw fail(n, "'\(n.name)' needs a value") }
        return v
    }
    func int(_ n: ConfigNode, _ range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let v = try value(n)
        guard let x = Int(v), range.contains(x) else {
            throw fail(n, "'\(n.name)' must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(v)'")
        }
        return x
    }
    func bool(_ n: ConfigNode) throws(ConfigError) -> Bool {
        switch try value(n).lowercased() {
        case "true": return true
        case "false": return false
        default: throw fail(n, "'\(n.name)' must be true or false")
        }
    }
    /// Sizes: plain bytes or K/M/G/T/P (powers of 1024, either case).
    func size(_ n: ConfigNode) throws(ConfigError) -> Int {
        let v = try value(n)
        guard let x = ConfigReader.parseSize(v) else { throw fail(n, "'\(n.name)' must be a size like 4G or 128K, got '\(v)'") }
        return x
    }
    static func parseSize(_ v: String) -> Int? {
        guard let last = v.last else { return nil }
        let shifts: [Character: Int] = ["k": 10, "m": 20, "g": 30, "t": 40, "p": 50]
        if let s = shifts[Character(last.lowercased())] {
            guard let x = Int(v.dropLast()), x >= 0, x <= (Int.max >> s) else { return nil }
            return x << s
        }
        guard let x = Int(v), x >= 0 else { return nil }
        return x
    }
    func powerOfTwo(_ n: ConfigNode, _ lo: Int, _ hi: Int) throws(ConfigError) -> Int {
        let v = try size(n)
        guard v >= lo, v <= hi, v & (v - 1) == 0 else {
            throw fail(n, "'\(n.name)' must be a power of 2 from \(lo >> 10)K to \(hi >> 20)M")
        }
        return v
    }
    /// Durations: plain seconds or s/m/h/d suffixes.
    func seconds(_ n: ConfigNode) throws(ConfigError) -> UInt32 {
        let v = try value(n)
        guard let x = ConfigReader.parseSeconds(v) else { throw fail(n, "'\(n.name)' must be a duration like 30d or 3600, got '\(v)'") }
        return x
    }
    static func parseSeconds(_ v: String) -> UInt32? {
        guard let last = v.last else { return nil }
        let mult: [Character: UInt64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var digits = Substring(v), m: UInt64 = 1
        if let f = mult[Character(last.lowercased())] { digits = v.dropLast(); m = f }
        guard let x = UInt64(digits), x * m <= UInt64(UInt32.max) else { return nil }
        return UInt32(x * m)
    }

    // MARK: contexts

    mutating func service(_ node: ConfigNode, _ cfg: inout Configuration) throws(ConfigError) {
        for n in node.children ?? [] {
            switch n.name {
            case "cluster-name": cfg.clusterName = try value(n)
            case "service-threads": cfg.serviceThreads = try int(n, 0...4096)
            case "proto-fd-max": cfg.protoFdMax = try int(n, 1...Int(Int32.max))
            case "work-directory": cfg.workDirectory = try value(n)
            case "batch-max-requests": cfg.batchMaxRequests = try int(n, 0...Int(Int32.max))
            case "node-id", "pidfile", "user", "group", "proto-fd-idle-ms", "info-threads", "run-as-daemon",
                 "transaction-max-ms", "batch-index-threads", "min-cluster-size", "feature-key-file",
                 "query-max-done", "microsecond-histograms", "log-local-time", "log-millis":
                warn(n, "'\(n.name)' is accepted but has no effect")
            default: unknownKey(n, in: "service")
            }
        }
    }

    mutating func network(_ node: ConfigNode, _ cfg: inout Configuration) throws(ConfigError) {
        for n in node.children ?? [] {
            switch n.name {
            case "service":
                for s in n.children ?? [] {
                    switch s.name {
                    case "address":
                        let v = try value(s)
                        cfg.address = v == "any" ? "0.0.0.0" : v
                    case "port": cfg.port = try int(s, 0...65535)
                    case "access-address": cfg.accessAddress = try value(s)
                    case "access-port": cfg.accessPort = try int(s, 1...65535)
                    default: unknownKey(s, in: "network.service")
                    }
                }
            case "heartbeat", "fabric", "info", "admin", "tls":
                warn(n, "'network.\(n.name)' is accepted but has no effect (single node)")
            default: unknownKey(n, in: "network")
            }
        }
    }

    mutating func logging(_ node: ConfigNode, _ cfg: inout Configuration) throws(ConfigError) {
        for sink in node.children ?? [] {
            guard sink.name == "console" || sink.name == "file" else { unknownKey(sink, in: "logging"); continue }
            if sink.name == "file" { warn(sink, "file logging is not supported; logging to the console") }
            for c in sink.children ?? [] where c.name == "context" {
                if c.values.first == "any", c.values.count >= 2 {
                    let level = c.values[1].lowercased()
                    guard ["critical", "warning", "info", "debug", "detail"].contains(level) else {
                        throw fail(c, "unknown log level '\(c.values[1])'")
                    }
                    cfg.logLevel = level
                }
            }
        }
    }

    mutating func namespace(_ node: ConfigNode) throws(ConfigError) -> NamespaceSettings {
        guard let name = node.values.first, !name.isEmpty else { throw fail(node, "namespace needs a name") }
        guard name.utf8.count <= 31 else { throw fail(node, "namespace name '\(name)' is longer than 31 bytes") }
        var ns = NamespaceSettings(name: name, line: node.line)
        for n in node.children ?? [] {
            switch n.name {
            case "replication-factor": ns.replicationFactor = try int(n, 1...256)
            case "default-ttl": ns.defaultTTL = try seconds(n)
            case "nsup-period": ns.nsupPeriod = try seconds(n)
            case "allow-ttl-without-nsup": ns.allowTTLWithoutNsup = try bool(n)
            case "max-record-size":
                let v = try size(n)
                guard (64...(8 << 20)).contains(v) else { throw fail(n, "'max-record-size' must be between 64 and 8M") }
                ns.maxRecordSize = v
            case "default-read-touch-ttl-pct": ns.defaultReadTouchTTLPct = UInt32(try int(n, 0...100))
            case "memory-size": ns.dataSize = try size(n)  // pre-7.0 spelling
            case "storage-engine":
                let kind = n.values.first ?? ""
                guard kind == "memory" || kind == "device" else {
                    throw fail(n, "storage-engine '\(kind)' is not supported (use 'memory' or 'device')")
                }
                ns.storageEngine = kind
                for s in n.children ?? [] {
                    switch s.name {
                    case "data-size": ns.dataSize = try size(s)
                    case "stop-writes-used-pct": ns.stopWritesUsedPct = try int(s, 0...100)
                    case "evict-used-pct": ns.evictUsedPct = try int(s, 0...100)
                    case "file", "device":
                        guard kind == "device" else { warn(s, "'\(s.name)' has no effect for the memory engine"); continue }
                        let path = try value(s)
                        if ns.files.contains(path) { throw fail(s, "'\(path)' is listed twice") }
                        guard ns.files.count < 128 else { throw fail(s, "at most 128 files or devices per namespace") }
                        ns.files.append(path)
                    case "filesize": ns.fileSize = try size(s)
                    case "write-block-size":
                        // Removed in 8.x (write blocks are 8M there); here it sizes the write blocks.
                        ns.writeBlockSize = try powerOfTwo(s, 64 << 10, 8 << 20)
                    case "flush-size":
                        // 8.x: the unit of device writes. Changed pages are written here, so it is checked only.
                        _ = try powerOfTwo(s, 4 << 10, 8 << 20)
                    case "flush-max-ms": ns.flushMaxMs = try int(s, 1...60_000)
                    case "commit-to-device": ns.commitToDevice = try bool(s)
                    case "defrag-lwm-pct": ns.defragLwmPct = try int(s, 1...99)
                    case "defrag-sleep": ns.defragSleepMicros = try int(s, 0...1_000_000)
                    case "stop-writes-avail-pct": ns.stopWritesAvailPct = try int(s, 0...100)
                    case "post-write-cache": ns.postWriteCache = try size(s)
                    case "max-write-cache": ns.maxWriteCache = try size(s)
                    case "direct-files": ns.directFiles = try bool(s)
                    case "read-page-cache": ns.readPageCache = try bool(s)
                    case "compression":
                        switch try value(s) {
                        case "none": ns.compressLZ4 = false
                        case "lz4": ns.compressLZ4 = true
                        case "zstd", "snappy": throw fail(s, "compression '\(try value(s))' is not supported (use 'lz4' or 'none')")
                        default: throw fail(s, "'compression' must be none, lz4, snappy or zstd")
                        }
                    case "compression-level": ns.compressionLevel = try int(s, 1...9)
                    case "defrag-startup-minimum", "disable-odsync", "enable-benchmarks-storage",
                         "serialize-tomb-raider", "cold-start-empty", "compression-acceleration", "defrag-queue-min",
                         "encryption", "encryption-key-file", "evict-used-pct-device", "scheduler-mode", "sindex-startup-device-scan":
                        warn(s, "'\(s.name)' is accepted but has no effect")
                    default: unknownKey(s, in: "storage-engine")
                    }
                }
                if kind == "device" && ns.file == nil { throw fail(n, "storage-engine device needs a 'file'") }
            case "set":
                guard let setName = n.values.first, !setName.isEmpty else { throw fail(n, "set needs a name") }
                for s in n.children ?? [] {
                    switch s.name {
                    case "disable-eviction":
                        if try bool(s) { ns.evictionDisabledSets.append(setName) }
                    case "enable-index", "stop-writes-count", "stop-writes-size", "default-ttl", "default-read-touch-ttl-pct":
                        warn(s, "'\(s.name)' in a set context is accepted but has no effect")
                    default: unknownKey(s, in: "set \(setName)")
                    }
                }
            case "stop-writes-avail-pct": ns.stopWritesAvailPct = try int(n, 0...100)  // pre-7.0 spelling
            case "nsup-threads", "evict-tenths-pct", "high-water-memory-pct", "stop-writes-pct",
                 "conflict-resolution-policy", "single-query-threads", "transaction-pending-limit",
                 "partition-tree-sprigs", "index-stage-size", "apply-ttl-reductions", "strong-consistency":
                warn(n, "'\(n.name)' is accepted but has no effect")
            default: unknownKey(n, in: "namespace \(name)")
            }
        }
        return ns
    }
}
