#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Seconds between the Unix epoch and the Citrusleaf epoch (2010-01-01 UTC).
public let citrusleafEpoch: Int64 = 1_262_304_000

/// The one source of time for TTLs, last-update times and expiry. Tests move it
/// forward with `advance` (exposed as an info command when the server runs with --test-clock).
public final class Clock: Sendable {
    private let offsetMs = Atomic<Int64>(0)
    public init() {}

    /// Milliseconds since the Unix epoch, including any test offset.
    @inline(__always) public func unixMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000 + offsetMs.load(ordering: .relaxed)
    }
    /// Milliseconds since 2010-01-01 (record last-update time).
    @inline(__always) public func nowMs() -> UInt64 { UInt64(max(0, unixMs() - citrusleafEpoch * 1000)) }
    /// Seconds since 2010-01-01 (void-time scale).
    @inline(__always) public func nowSec() -> UInt32 { UInt32(truncatingIfNeeded: nowMs() / 1000) }

    public func advance(seconds: Int64) { offsetMs.add(seconds * 1000, ordering: .relaxed) }
}
