import AeroEngine

/// Truncate, jobs, configuration and the test clock.
extension InfoHandler {
    func registerAdmin() {
        let s = server
        register("truncate") { req, _ in
            guard let nsName = req.param("namespace", "ns") else { return "ERROR:4:missing namespace" }
            guard let set = req.params["set"], !set.isEmpty else { return "ERROR:4:missing set" }
            return InfoHandler.truncate(s, nsName, set: set, lut: req.params["lut"])
        }
        register("truncate-namespace") { req, _ in
            guard let nsName = req.param("namespace", "ns") else { return "ERROR:4:missing namespace" }
            if req.params["set"] != nil { return "ERROR:4:unexpected set name" }
            return InfoHandler.truncate(s, nsName, set: nil, lut: req.params["lut"])
        }
        register("truncate-undo", "truncate-namespace-undo") { _, _ in "ok" }
        register("query-show") { req, _ in
            if let idText = req.param("id", "trid") {
                guard let id = UInt64(idText), let job = s.engine.jobs.find(id) else { return "ERROR:2:job not found" }
                return job.describe()
            }
            return s.engine.jobs.all.map { $0.describe() }.joined(separator: ";")
        }
        register("query-abort") { req, _ in
            guard let idText = req.param("id", "trid"), let id = UInt64(idText),
                  let job = s.engine.jobs.find(id), !job.isDone else { return "ERROR:2:id not active" }
            return "ok"
        }
        register("query-abort-all") { _, _ in "number-of-queries-killed:0" }
        register("get-config", "config-get") { req, _ in InfoHandler.config(s, req) }
        register("set-config") { _, _ in "ERROR:4:set-config is not supported by Aerolite" }
        register("test-clock-advance") { req, _ in
            guard s.testClock else { return "ERROR:4:unrecognized command" }
            guard let v = req.params["seconds"], let secs = Int64(v), secs >= 0 else { return "ERROR:4:bad seconds" }
            s.engine.clock.advance(seconds: secs)
            return "ok"
        }
    }

    /// `lut` is nanoseconds since the Unix epoch, decimal or C-style hex/octal.
    static func truncate(_ s: Server, _ nsName: String, set: String?, lut: String?) -> String {
        // The real server answers ok for an unknown namespace too.
        guard let ns = s.engine.namespace(named: nsName) else { return "ok" }
        if let set, set.utf8.count > 63 { return "ERROR:4:set name too long" }
        var nanos: UInt64? = nil
        if let lut {
            guard let v = parseCInteger(lut) else { return "ERROR:4:bad lut" }
            nanos = v
        }
        do {
            try s.engine.truncate(ns, set: set, lutUnixNanos: nanos)
        } catch .future {
            return "ERROR:4:would truncate in the future"
        } catch {
            return "ERROR:1:could not record the truncate"
        }
        Log.info("truncate", "truncated {\(nsName)}" + (set.map { "|\($0)" } ?? ""))
        return "ok"
    }

    static func parseCInteger(_ t: String) -> UInt64? {
        if t.hasPrefix("0x") || t.hasPrefix("0X") { return UInt64(t.dropFirst(2), radix: 16) }
        if t.count > 1 && t.hasPrefix("0") { return UInt64(t.dropFirst(), radix: 8) }
        return UInt64(t)
    }

    static func config(_ s: Server, _ req: InfoRequest) -> String {
        let c = s.config
        switch req.params["context"] ?? "service" {
        case "service":
            return "cluster-name=\(c.clusterName);batch-max-requests=\(c.batchMaxRequests);proto-fd-max=\(c.protoFdMax)"
                + ";service-threads=\(s.reactorCount);work-directory=\(c.workDirectory)"
        case "network":
            return "service.address=\(c.address);service.port=\(s.port)"
                + (c.accessAddress.map { ";service.access-address=\($0)" } ?? "")
        case "namespace":
            guard let id = req.param("id", "namespace"), let ns = s.engine.namespace(named: id) else {
                return "ERROR:20:namespace not found on node"
            }
            return namespaceConfig(ns)
        case "logging":
            return "console:any=\(c.logLevel)"
        default:
            return "ERROR:4:unknown context"
        }
    }
}
