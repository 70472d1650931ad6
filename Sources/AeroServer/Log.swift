#if canImport(Glibc)
import Glibc
#endif

/// Minimal stderr logger in the real server's style: `Nov 22 2026 07:45:40 GMT: INFO (ctx): message`.
public enum Log {
    public enum Level: Int, Sendable { case debug = 0, info, warning, critical }
    nonisolated(unsafe) public static var level: Level = .info

    public static func setLevel(_ name: String) {
        switch name {
        case "debug", "detail": level = .debug
        case "warning": level = .warning
        case "critical": level = .critical
        default: level = .info
        }
    }

    public static func debug(_ ctx: String, _ msg: @autoclosure () -> String) { write(.debug, "DEBUG", ctx, msg) }
    public static func info(_ ctx: String, _ msg: @autoclosure () -> String) { write(.info, "INFO", ctx, msg) }
    public static func warning(_ ctx: String, _ msg: @autoclosure () -> String) { write(.warning, "WARNING", ctx, msg) }
    public static func critical(_ ctx: String, _ msg: @autoclosure () -> String) { write(.critical, "CRITICAL", ctx, msg) }

    private static func write(_ l: Level, _ tag: String, _ ctx: String, _ msg: () -> String) {
        guard l.rawValue >= level.rawValue else { return }
        var t = time(nil)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        var buf = [Int8](repeating: 0, count: 64)
        let n = strftime(&buf, 64, "%b %d %Y %H:%M:%S GMT", &tmv)
        let stamp = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let line = "\(stamp): \(tag) (\(ctx)): \(msg())\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
