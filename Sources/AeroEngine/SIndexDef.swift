import AeroWire

/// A secondary index definition, as `sindex-create` gives it (old or 8.1 syntax).
public struct SIndexDef: Equatable, Sendable {
    public enum KeyType: String, Sendable { case numeric, string, blob, geo2dsphere }
    public enum Collection: String, Sendable { case `default`, list, mapkeys, mapvalues }

    public var name: String
    public var ns: String
    public var set: String?
    public var bin: String
    public var type: KeyType
    public var collection: Collection
    /// The CDT context (msgpack) as sent, base64-decoded; nil for a bin index.
    public var context: [UInt8]?
    public var contextBase64: String?

    /// Parses the parameters of `sindex-create`. Returns the definition or an info error value.
    public static func parse(_ p: [String: String]) -> Result<SIndexDef, SIndexError> {
        guard let ns = p["namespace"] ?? p["ns"], !ns.isEmpty else { return .failure(.init(20, "missing 'namespace'")) }
        guard let name = p["indexname"], !name.isEmpty else { return .failure(.init(4, "missing 'indexname'")) }
        guard name.utf8.count < 64 else { return .failure(.init(4, "'indexname' too long")) }
        var bin: String?, typeText: String?
        if let data = p["indexdata"] {
            let parts = data.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 2 else { return .failure(.init(4, "bad 'indexdata'")) }
            bin = String(parts[0]); typeText = String(parts[1])
        } else {
            bin = p["bin"]; typeText = p["type"]
        }
        guard let b = bin, !b.isEmpty, b.utf8.count <= 15 else { return .failure(.init(4, "bad 'bin'")) }
        let kt: KeyType
        switch (typeText ?? "").lowercased() {
        case "numeric", "integer": kt = .numeric
        case "string": kt = .string
        case "blob": kt = .blob
        case "geo2dsphere": kt = .geo2dsphere
        default: return .failure(.init(4, "bad 'type'"))
        }
        guard let coll = Collection(rawValue: (p["indextype"] ?? "default").lowercased()) else {
            return .failure(.init(4, "bad 'indextype'"))
        }
        if p["exp"] != nil { return .failure(.init(16, "expression indexes are not supported yet")) }
        var ctx: [UInt8]? = nil
        if let c = p["context"] {
            guard let raw = Base64.decode(Array(c.utf8)), !raw.isEmpty else { return .failure(.init(4, "bad 'context'")) }
            ctx = raw
        }
        let set = p["set"].flatMap { $0.isEmpty ? nil : $0 }
        if let s = set, s.utf8.count > 63 { return .failure(.init(4, "set name too long")) }
        return .success(SIndexDef(name: name, ns: ns, set: set, bin: b, type: kt, collection: coll,
                                  context: ctx, contextBase64: p["context"]))
    }

    /// The 8.1-syntax create command that recreates this index (kept in the work directory).
    public var createCommand: String {
        var s = "sindex-create:namespace=\(ns)"
        if let set { s += ";set=\(set)" }
        s += ";indexname=\(name);indextype=\(collection.rawValue)"
        if let c = contextBase64 { s += ";context=\(c)" }
        s += ";bin=\(bin);type=\(type.rawValue)"
        return s
    }

    /// The index's particle type in a query's INDEX_RANGE (1 integer, 3 string, 4 blob, 23 geo).
    public var particle: UInt8 {
        switch type {
        case .numeric: return ParticleType.integer
        case .string: return ParticleType.string
        case .blob: return ParticleType.blob
        case .geo2dsphere: return ParticleType.geojson
        }
    }
}

public struct SIndexError: Error, Sendable {
    public var code: Int
    public var message: String
    public init(_ code: Int, _ message: String) { self.code = code; self.message = message }
    public var info: String { "ERROR:\(code):\(message)" }
}
