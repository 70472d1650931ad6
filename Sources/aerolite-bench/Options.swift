/// Command line of aerolite-bench:
///   aerolite-bench echo --port P [--threads T]
///   aerolite-bench load --port P --connections N --seconds S [--keys K] [--value-size B] [--read-pct R] [--preload]
struct Options {
    var mode = ""
    var host = "127.0.0.1"
    var port = 3000
    var threads = 2
    var connections = 8
    var seconds = 5.0
    var keys = 100_000
    var valueSize = 100
    var readPct = 50
    var preload = false
    var namespace = "test"
    var label = ""

    static func parse(_ args: [String]) -> Options? {
        var o = Options()
        guard args.count >= 2 else { return nil }
        o.mode = args[1]
        var i = 2
        while i < args.count {
            let k = args[i]
            let v = i + 1 < args.count ? args[i + 1] : ""
            switch k {
            case "--host": o.host = v
            case "--port": o.port = Int(v) ?? o.port
            case "--threads": o.threads = Int(v) ?? o.threads
            case "--connections": o.connections = Int(v) ?? o.connections
            case "--seconds": o.seconds = Double(v) ?? o.seconds
            case "--keys": o.keys = Int(v) ?? o.keys
            case "--value-size": o.valueSize = Int(v) ?? o.valueSize
            case "--read-pct": o.readPct = Int(v) ?? o.readPct
            case "--namespace": o.namespace = v
            case "--label": o.label = v
            case "--preload": o.preload = true; i += 1; continue
            default: return nil
            }
            i += 2
        }
        return o
    }
}
