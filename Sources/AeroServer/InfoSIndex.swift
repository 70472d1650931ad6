import AeroEngine

/// Secondary-index management commands, in the old and the 8.1 syntax.
extension InfoHandler {
    func registerSIndex() {
        let engine = server.engine
        register("sindex-create") { req, _ in
            switch SIndexDef.parse(req.params) {
            case .failure(let e): return e.info
            case .success(let def):
                if let e = engine.createIndex(def) { return e.info }
                Log.info("sindex", "creating index {\(def.ns)} \(def.name) on bin \(def.bin)")
                return "ok"
            }
        }
        register("sindex-delete") { req, _ in
            guard let ns = req.param("namespace", "ns") else { return "ERROR:20:missing 'namespace'" }
            guard let name = req.params["indexname"] else { return "ERROR:4:missing 'indexname'" }
            engine.dropIndex(ns: ns, name: name)
            return "ok"
        }
        register("sindex-exists") { req, _ in
            guard let nsName = req.param("namespace", "ns"), let ns = engine.namespace(named: nsName),
                  let name = req.params["indexname"] else { return "false" }
            return ns.sindexes.find(name: name) != nil ? "true" : "false"
        }
        register("sindex-list") { req, _ in
            var nss = engine.namespaces
            if let n = req.param("namespace", "ns") { nss = nss.filter { $0.name == n } }
            return nss.flatMap { $0.sindexes.all.map(\.listing) }.joined(separator: ";")
        }
        register("sindex-stat") { req, _ in
            guard let nsName = req.param("namespace", "ns"), let ns = engine.namespace(named: nsName),
                  let name = req.params["indexname"], let s = ns.sindexes.find(name: name) else { return "ERROR:201:no index" }
            return s.stat()
        }
        register("sindex") { req, _ in
            // sindex/<ns>/<name> → stats; sindex[/<ns>] → the list.
            if req.pathArgs.count >= 2 {
                guard let ns = engine.namespace(named: req.pathArgs[0]), let s = ns.sindexes.find(name: req.pathArgs[1]) else {
                    return "ERROR:201:no index"
                }
                return s.stat()
            }
            var nss = engine.namespaces
            if let n = req.pathArgs.first { nss = nss.filter { $0.name == n } }
            return nss.flatMap { $0.sindexes.all.map(\.listing) }.joined(separator: ";")
        }
    }
}
