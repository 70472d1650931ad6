import AeroEngine

/// Namespace, set and node statistics.
extension InfoHandler {
    func registerNamespaces() {
        let s = server
        register("namespaces") { _, _ in s.engine.namespaces.map(\.name).joined(separator: ";") }
        register("namespace") { req, _ in
            guard let name = req.pathArgs.first, let ns = s.engine.namespace(named: name) else { return "type=unknown" }
            return InfoHandler.namespaceStats(ns, s) + ";" + InfoHandler.namespaceConfig(ns)
        }
        register("sets") { req, _ in
            var namespaces = s.engine.namespaces
            if let name = req.pathArgs.first {
                guard let ns = s.engine.namespace(named: name) else { return "ns_type=unknown" }
                namespaces = [ns]
                if req.pathArgs.count > 1 {
                    guard let set = ns.sets.find(name: req.pathArgs[1]) else { return "" }
                    return InfoHandler.setProps(set) + ";"
                }
            }
            var parts: [String] = []
            for ns in namespaces {
                for set in ns.sets.all { parts.append("ns=\(ns.name):set=\(set.name):" + InfoHandler.setProps(set)) }
            }
            return parts.joined(separator: ";")
        }
        register("statistics") { _, _ in InfoHandler.statistics(s) }
        register("latencies") { _, _ in
            var parts = ["batch-index:"]
            for ns in s.engine.namespaces {
                for kind in ["read", "write", "udf", "batch-sub-read", "batch-sub-write", "batch-sub-udf", "pi-query", "si-query"] {
                    parts.append("{\(ns.name)}-\(kind):")
                }
            }
            return parts.joined(separator: ";")
        }
    }

    static func setProps(_ set: SetInfo) -> String {
        "objects=\(set.objects.load(ordering: .relaxed)):tombstones=0:data_used_bytes=\(set.dataBytes.load(ordering: .relaxed))"
            + ":truncate_lut=\(set.truncateLUT.load(ordering: .relaxed)):sindexes=0:index_populating=false:truncating=false"
            + ":default-read-touch-ttl-pct=0:default-ttl=0:disable-eviction=false:enable-index=false"
            + ":stop-writes-count=0:stop-writes-size=0"
    }

    static func namespaceStats(_ ns: Namespace, _ s: Server) -> String {
        let objects = ns.objects.load(ordering: .relaxed)
        let used = ns.usedBytes
        let total = ns.capacityBytes
        let pct = total > 0 ? used * 100 / total : 0
        var items: [(String, Any)] = [
            ("ns_cluster_size", 1), ("effective_replication_factor", 1), ("objects", objects), ("tombstones", 0),
            ("master_objects", objects), ("master_tombstones", 0), ("prole_objects", 0), ("prole_tombstones", 0),
            ("non_replica_objects", 0), ("dead_partitions", 0), ("unavailable_partitions", 0),
            ("stop_writes", ns.isStopWrites), ("hwm_breached", false),
            ("current_time", s.engine.clock.nowSec()), ("expired_objects", ns.expiredObjects.load(ordering: .relaxed)),
            ("evicted_objects", ns.evictedObjects.load(ordering: .relaxed)), ("truncate_lut", ns.truncateLUT.load(ordering: .relaxed)),
            ("index_used_bytes", ns.indexBytes()), ("data_total_bytes", total), ("data_used_bytes", used),
            ("data_used_pct", pct), ("data_avail_pct", ns.device?.availablePct ?? 100 - pct),
        ]
        if let dev = ns.device {
            // Aerolite's own: bytes appended for clients and by defrag (write amplification is
            // their sum over the first), blocks defrag freed, free blocks, blocks held in memory.
            let st = dev.stats
            items += [("device_write_bytes", st.userBytes), ("device_defrag_bytes", st.defragBytes),
                      ("device_defrag_freed_blocks", st.defragFreed), ("device_free_blocks", st.freeBlocks),
                      ("device_cached_blocks", st.cachedBlocks), ("device_record_bytes", ns.dataBytes.load(ordering: .relaxed))]
        }
        return items.map { "\($0.0)=\($0.1)" }.joined(separator: ";")
    }

    static func namespaceConfig(_ ns: Namespace) -> String {
        let c = ns.config
        var items: [(String, Any)] = [
            ("allow-ttl-without-nsup", c.allowTTLWithoutNsup), ("default-read-touch-ttl-pct", c.defaultReadTouchTTLPct),
            ("default-ttl", c.defaultTTL), ("max-record-size", c.maxRecordSize), ("nsup-period", c.nsupPeriod),
            ("replication-factor", c.replicationFactor), ("storage-engine", c.device == nil ? "memory" : "device"),
            ("storage-engine.data-size", c.dataSize), ("storage-engine.stop-writes-used-pct", c.stopWritesUsedPct),
        ]
        if let d = c.device {
            items += d.files.enumerated().map { ("storage-engine.file[\($0.offset)]", $0.element) }
            items += [("storage-engine.filesize", d.fileSize),
                      ("storage-engine.write-block-size", d.store.blockSize), ("storage-engine.flush-max-ms", d.flushMaxMs),
                      ("storage-engine.commit-to-device", d.store.commitToDevice),
                      ("storage-engine.post-write-cache", d.store.postWriteCache),
                      ("storage-engine.read-page-cache", d.readPageCache), ("storage-engine.direct-files", d.directFiles),
                      ("storage-engine.compression", d.store.compress ? "lz4" : "none"),
                      ("storage-engine.defrag-lwm-pct", d.defragLowWaterPct),
                      ("storage-engine.stop-writes-avail-pct", c.stopWritesAvailPct)]
        }
        return items.map { "\($0.0)=\($0.1)" }.joined(separator: ";")
    }

    static func statistics(_ s: Server) -> String {
        let objects = s.engine.namespaces.reduce(0) { $0 + $1.objects.load(ordering: .relaxed) }
        let items: [(String, Any)] = [
            ("failed_best_practices", false), ("cluster_size", 1), ("cluster_key", s.clusterKey),
            ("cluster_generation", 1), ("cluster_principal", s.nodeID), ("cluster_integrity", true),
            ("cluster_is_member", true), ("uptime", s.uptimeSeconds), ("objects", objects), ("tombstones", 0),
            ("client_connections", s.openConnections), ("client_connections_opened", s.connectionsOpened),
            ("client_connections_closed", s.connectionsClosed),
            ("migrate_allowed", true), ("migrate_partitions_remaining", 0),
        ]
        return items.map { "\($0.0)=\($0.1)" }.joined(separator: ";")
    }
}
