/// Typed settings read from an aerospike.conf-style file.
public struct NamespaceSettings: Sendable {
    public var name: String
    public var line: Int
    public var replicationFactor = 2
    public var defaultTTL: UInt32 = 0
    public var nsupPeriod: UInt32 = 0
    public var allowTTLWithoutNsup = false
    public var maxRecordSize = 1 << 20
    public var dataSize: Int? = nil
    public var stopWritesUsedPct = 70
    public var evictUsedPct = 0
    public var defaultReadTouchTTLPct: UInt32 = 0
    public var storageEngine = "memory"
    /// Device storage (storage-engine device { file ... }): each `file` or `device` line, in order.
    public var files: [String] = []
    public var file: String? { files.first }
    public var fileSize: Int = 1 << 30
    /// 8M, as the real server's write blocks.
    public var writeBlockSize: Int = 8 << 20
    public var flushMaxMs: Int = 1000
    public var commitToDevice = false
    public var defragLwmPct = 50
    /// Microseconds between blocks defrag empties.
    public var defragSleepMicros = 1000
    public var stopWritesAvailPct = 5
    /// Bytes of recently written blocks kept in memory for reads (8.x default 256M).
    public var postWriteCache = 256 << 20
    /// Bytes of written blocks allowed to wait for the device before writes get DEVICE_OVERLOAD.
    public var maxWriteCache = 64 << 20
    public var directFiles = true
    public var readPageCache = false
    public var compressLZ4 = false
    public var compressionLevel = 1
    /// Sets eviction leaves alone (set NAME { disable-eviction true }).
    public var evictionDisabledSets: [String] = []
    public init(name: String, line: Int) { self.name = name; self.line = line }
}

public struct Configuration: Sendable {
    public var clusterName = "aerolite"
    public var serviceThreads = 0
    public var protoFdMax = 15000
    public var workDirectory = "/opt/aerospike"
    public var batchMaxRequests = 0
    public var address = "0.0.0.0"
    public var port = 3000
    public var accessAddress: String? = nil
    public var accessPort: Int? = nil
    public var logLevel = "info"
    public var namespaces: [NamespaceSettings] = []
    /// `line N: ...` notes about keys that were ignored.
    public var warnings: [String] = []

    public init() {}

    /// Reads a config file's text. Unknown contexts and keys become warnings; values that
    /// cannot be used throw with the file and line.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> Configuration {
        var cfg = Configuration()
        let tree = try ConfigParser.parse(text, file: file)
        var reader = ConfigReader(file: file)
        for node in tree {
            switch node.name {
            case "service": try reader.service(node, &cfg)
            case "network": try reader.network(node, &cfg)
            case "logging": try reader.logging(node, &cfg)
            case "namespace": cfg.namespaces.append(try reader.namespace(node))
            case "mod-lua", "security", "xdr": reader.ignoreContext(node)
            default: reader.warn(node, "unknown context '\(node.name)' ignored")
            }
        }
        if cfg.namespaces.isEmpty {
            throw ConfigError(file: file, line: 1, message: "no namespace configured")
        }
        var seen = Set<String>()
        for ns in cfg.namespaces {
            guard seen.insert(ns.name).inserted else {
                throw ConfigError(file: file, line: ns.line, message: "namespace '\(ns.name)' configured twice")
            }
            if ns.defaultTTL != 0 && ns.nsupPeriod == 0 && !ns.allowTTLWithoutNsup {
                throw ConfigError(file: file, line: ns.line, message:
                    "namespace '\(ns.name)': must configure non-zero 'nsup-period' or 'allow-ttl-without-nsup' true if 'default-ttl' is non-zero")
            }
        }
        cfg.warnings = reader.warnings
        return cfg
    }
}
