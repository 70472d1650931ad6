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
    /// Takes the lock if it is free; false (not held) otherwise.
    @inline(__always) public func tryLock() -> Bool { pthread_mutex_trylock(m) == 0 }
    @inline(__always) public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock(); defer { unlock() }
        return try body()
    }
}

/// A condition a thread can sleep on with a timeout, and another can wake it from.
public final class Wakeup: @unchecked Sendable {
    private let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let c = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var signalled = false
    public init() {
        m.initialize(to: pthread_mutex_t()); pthread_mutex_init(m, nil)
        c.initialize(to: pthread_cond_t()); pthread_cond_init(c, nil)
    }
    deinit { pthread_cond_destroy(c); pthread_mutex_destroy(m); m.deallocate(); c.deallocate() }

    public func signal() {
        pthread_mutex_lock(m); signalled = true; pthread_cond_signal(c); pthread_mutex_unlock(m)
    }
    /// Sleeps until signalled or `ms` pass (realtime clock, as pthread_cond_timedwait uses).
    public func wait(ms: Int) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let ns = Int(ts.tv_nsec) + (ms % 1000) * 1_000_000
        ts.tv_sec += ms / 1000 + ns / 1_000_000_000
        ts.tv_nsec = ns % 1_000_000_000
        pthread_mutex_lock(m)
        while !signalled { if pthread_cond_timedwait(c, m, &ts) != 0 { break } }
        signalled = false
        pthread_mutex_unlock(m)
    }
}
