import CAeroSys
#if canImport(Glibc)
import Glibc
#endif

private final class ThreadBody {
    let run: () -> Void
    let name: String
    init(_ name: String, _ run: @escaping () -> Void) { self.name = name; self.run = run }
}

/// Starts a detached OS thread (no Foundation). Used for reactors and background sweeps.
public func spawnThread(name: String, _ body: @escaping () -> Void) {
    let box = Unmanaged.passRetained(ThreadBody(String(name.prefix(15)), body)).toOpaque()
    var tid = pthread_t()
    let rc = pthread_create(&tid, nil, { arg in
        let b = Unmanaged<ThreadBody>.fromOpaque(arg!).takeRetainedValue()
        aero_set_thread_name(b.name)
        b.run()
        return nil
    }, box)
    precondition(rc == 0, "pthread_create failed: \(rc)")
    pthread_detach(tid)
}
