import AeroWire
import AeroEngine

/// What clients send to discover and tend the cluster (cluster-and-info.md sections 2-4).
extension InfoHandler {
    static let build = "8.1.2.0"
    static let edition = "Aerospike Community Edition"
    static let features = "batch-any;batch-index;blob-bits;cdt-index;cdt-list;cdt-map;cluster-stable;float;geo;sindex-exists;peers;pipelining;pquery;pscans;query-show;relaxed-sc;replicas;replicas-all;replicas-master;replicas-max;truncate-namespace;udf"
    /// All 4096 partitions owned: 512 bytes of 0xFF in base64.
    static let ownedBitmap = String(repeating: "/", count: 682) + "8="

    func registerCluster() {
        let s = server
        register("node") { _, _ in s.nodeID }
        register("build") { _, _ in InfoHandler.build }
        register("version") { _, _ in "\(InfoHandler.edition) build \(InfoHandler.build)" }
        register("edition") { _, _ in InfoHandler.edition }
        register("release") { _, _ in
            "edition=\(InfoHandler.edition);version=\(InfoHandler.build);os=linux;arch=x86_64;sha=aerolite"
        }
        register("features") { _, _ in InfoHandler.features }
        register("compatibility-id") { _, _ in "15" }
        register("cluster-name") { _, _ in s.config.clusterName }
        register("partition-generation") { _, _ in "0" }
        register("rebalance-generation") { _, _ in "1" }
        register("peers-generation") { _, _ in "0" }
        register("partitions") { _, _ in "4096" }
        register("peers-clear-std", "peers-clear-alt", "peers-tls-std", "peers-tls-alt") { _, _ in "0,3000,[]" }
        register("services", "services-alternate", "services-alumni", "services-alumni-reset") { _, _ in "" }
        register("service-clear-std", "service-clear-alt", "service") { _, _ in s.accessEndpoint }
        register("service-tls-std", "service-tls-alt") { _, _ in "" }
        register("cluster-stable") { req, _ in
            if let ns = req.param("namespace"), s.engine.namespace(named: ns) == nil {
                return "ERROR:20:namespace not found"
            }
            if let size = req.param("size"), size != "1" { return "ERROR:7:cluster not specified size" }
            return s.clusterKey
        }
        register("replicas", "replicas-all", "replicas-max") { req, _ in
            if let m = req.params["max"], let max = Int(m), max < 1 { return "ERROR:4:bad max" }
            return s.engine.namespaces.map { "\($0.name):0,1,\(InfoHandler.ownedBitmap)" }.joined(separator: ";")
        }
        register("replicas-master") { _, _ in
            s.engine.namespaces.map { "\($0.name):\(InfoHandler.ownedBitmap)" }.joined(separator: ";")
        }
        register("racks", "rack-ids") { _, _ in "ERROR:25:enterprise only" }
        register("status") { _, _ in "ok" }
        register("best-practices") { _, _ in "failed_best_practices=none" }
        register("user-agent-set") { req, conn in
            guard let v = req.params["value"], Base64.decode(Array(v.utf8)) != nil else {
                return "ERROR:4:'value' invalid base64"
            }
            if conn.userAgentSet { return "ERROR:4:already set" }
            conn.userAgentSet = true
            return "ok"
        }
    }
}
