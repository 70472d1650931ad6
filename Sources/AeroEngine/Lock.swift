#if canImport(Glibc)
import Glibc
#endif

/// A pthread mutex on the heap (its address never moves). Explicit lock/unlock so
/// transaction code can hold it across several steps.
public final class Lock: @unchecked Sendable {
    private let m: UnsafeMutablePointer<pthread_mutex_t>
    public init() {
        m = .allocate(capacity: 1)
        m.initialize(to: pthread_mutex_t())
        pthread_mutex_init(m, nil)
    }
    deinit { pthread_mutex_destroy(m); m.deallocate() }
    @inline(__always) public func lock() { pthread_mutex_lock(m) }
    @inline(__always) public func unlock() { pthread_mutex_unlock(m) }
    @inline(__always) public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock(); defer { unlock() }
        return try body()
    }
}
