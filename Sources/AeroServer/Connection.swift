import AeroWire
import AeroEngine

/// One client connection, owned by one reactor thread.
final class Connection {
    let fd: Int32
    /// Bytes read and not yet consumed (complete frames are cut from the front).
    let input = WireBuffer(capacity: 16 * 1024)
    /// Reply bytes not yet written; `written` of them have gone out.
    let output = WireBuffer(capacity: 16 * 1024)
    var written = 0
    /// A scan streaming its results; later requests wait until it ends (answers stay in order).
    var stream: (any RecordStream)?
    var streamCompressed = false
    /// Interest currently registered with epoll.
    var wantsWrite = false
    var userAgentSet = false
    var closed = false
    /// A step of this connection runs on the blocking pool: its reactor leaves it alone (no
    /// reads, no writes, events parked) until the step is handed back.
    var busy = false
    /// The peer finished sending while a step was on the pool: hang up once it is answered.
    var closeWhenIdle = false

    init(fd: Int32) { self.fd = fd }

    var hasPendingOutput: Bool { written < output.count }
}
