import AeroWire
import AeroEngine

/// The UDF module registry commands (cluster-and-info.md section 7).
extension InfoHandler {
    static let maxModuleSize = 1 << 20

    func registerUDF() {
        let udf = server.engine.udf
        register("udf-put") { req, _ in
            guard let file = req.params["filename"], file.contains("."), !file.contains("/"),
                  !file.hasPrefix(".") else { return "error=invalid_filename" }
            guard let content = req.params["content"], let lenText = req.params["content-len"],
                  let len = Int(lenText), len % 4 == 0, len == content.utf8.count else { return "error=invalid_content_len" }
            if let type = req.params["udf-type"], type.uppercased() != "LUA" { return "error=invalid_udf_type" }
            guard let bytes = Base64.decode(Array(content.utf8)) else { return "error=invalid_base64_content" }
            guard bytes.count <= InfoHandler.maxModuleSize else { return "error=invalid_udf_content_len,>1M" }
            guard udf.put(name: file, content: bytes) else { return "error=write_failed" }
            return "ok"
        }
        register("udf-list") { _, _ in
            udf.list().map { "filename=\($0.name),hash=\($0.sha1Hex),type=LUA;" }.joined()
        }
        register("udf-get") { req, _ in
            guard let file = req.params["filename"], let m = udf.get(file) else { return "error=not_found" }
            return "type=LUA;content=\(Base64.encode(m.content));"
        }
        register("udf-remove") { req, _ in
            if let file = req.params["filename"] { _ = udf.remove(file) }
            return "ok"
        }
    }
}
