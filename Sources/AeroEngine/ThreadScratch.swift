#if canImport(Glibc)
import Glibc
#endif

/// Buffers each thread reuses for device reads: the record image a read hands back, an
/// aligned buffer for O_DIRECT transfers, and room for compressed bytes. One image per
/// thread is live at a time: it stays valid until the thread's next `image` call.
public final class ThreadScratch {
    private var imageBuf: UnsafeMutableRawPointer? = nil
    private var imageCap = 0
    private var alignedBuf: UnsafeMutableRawPointer? = nil
    private var alignedCap = 0
    private var packedBuf: UnsafeMutableRawPointer? = nil
    private var packedCap = 0

    deinit { imageBuf?.deallocate(); alignedBuf?.deallocate(); packedBuf?.deallocate() }

    func image(_ n: Int) -> UnsafeMutableRawPointer { grow(&imageBuf, &imageCap, n, alignment: 8) }
    func aligned(_ n: Int) -> UnsafeMutableRawPointer { grow(&alignedBuf, &alignedCap, n, alignment: DeviceStore.page) }
    func packed(_ n: Int) -> UnsafeMutableRawPointer { grow(&packedBuf, &packedCap, n, alignment: 8) }

    private func grow(_ buf: inout UnsafeMutableRawPointer?, _ cap: inout Int, _ n: Int, alignment: Int) -> UnsafeMutableRawPointer {
        if let b = buf, cap >= n { return b }
        buf?.deallocate()
        cap = max(n, 64 << 10)
        buf = .allocate(byteCount: cap, alignment: alignment)
        return buf!
    }

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { p in Unmanaged<ThreadScratch>.fromOpaque(p!).release() }
        return k
    }()

    /// The calling thread's scratch (made on first use, freed when the thread ends).
    static var current: ThreadScratch {
        if let p = pthread_getspecific(key) { return Unmanaged<ThreadScratch>.fromOpaque(p).takeUnretainedValue() }
        let s = ThreadScratch()
        pthread_setspecific(key, Unmanaged.passRetained(s).toOpaque())
        return s
    }
}
