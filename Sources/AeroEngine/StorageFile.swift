#if canImport(Glibc)
import Glibc
#endif
import CAeroSys

/// The bytes under a device namespace. `PosixStorageFile` is the real one; tests put a
/// fault-injecting one in its place (short writes, ENOSPC, a crash between two writes).
/// Every call transfers the whole buffer or reports failure.
public protocol StorageFile: AnyObject, Sendable {
    /// True when reads bypass the page cache (offsets and lengths must be 4 KiB aligned).
    /// Writes are always whole aligned pages.
    var direct: Bool { get }
    func write(_ buf: UnsafeRawPointer, count: Int, at offset: Int) -> Bool
    func read(_ buf: UnsafeMutableRawPointer, count: Int, at offset: Int) -> Bool
    /// Makes earlier writes durable (a no-op under direct I/O, which has no write-back cache here).
    func sync() -> Bool
}

/// A file or raw device opened with O_DIRECT, or buffered where the file system refuses it
/// (tmpfs) or the config says `direct-files false` for a file. With `read-page-cache true`,
/// reads go through a second, buffered descriptor (the kernel keeps hot pages cached).
public final class PosixStorageFile: StorageFile, @unchecked Sendable {
    let fd: Int32
    let readFD: Int32
    public let direct: Bool
    /// A raw device's size (nil for a file, which is sized to `filesize`).
    public let deviceSize: Int?

    public struct OpenError: Error, CustomStringConvertible { public var description: String }

    public init(path: String, size: Int, directFiles: Bool = true, readPageCache: Bool = false) throws(OpenError) {
        var d: Int32 = 0
        fd = directFiles ? aero_open_storage(path, &d) : open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw OpenError(description: "cannot open storage '\(path)': \(String(cString: strerror(errno)))")
        }
        let buffered = readPageCache && d != 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1
        readFD = buffered >= 0 ? buffered : fd
        direct = d != 0 && readFD == fd
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFBLK {
            // A raw device: its size is what it is.
            deviceSize = Int(lseek(fd, 0, SEEK_END))
            return
        }
        deviceSize = nil
        guard aero_ensure_size(fd, Int64(size)) == 0 else {
            let why = String(cString: strerror(errno))
            if readFD != fd { close(readFD) }
            close(fd)
            throw OpenError(description: "cannot size storage '\(path)' to \(size) bytes: \(why)")
        }
    }
    deinit { if readFD != fd { close(readFD) }; close(fd) }

    public func write(_ buf: UnsafeRawPointer, count: Int, at offset: Int) -> Bool {
        aero_pwrite_all(fd, buf, count, Int64(offset)) == 0
    }
    public func read(_ buf: UnsafeMutableRawPointer, count: Int, at offset: Int) -> Bool {
        aero_pread_all(readFD, buf, count, Int64(offset)) == 0
    }
    public func sync() -> Bool { direct || aero_datasync(fd) == 0 }
}

/// Several files or devices of one namespace as one run of blocks: each member holds a whole
/// number of write blocks, so no block straddles two members, and a transfer (always within
/// one block) goes to the member holding it. Blocks carry their own sequence numbers, so the
/// members may be listed in any order from one start to the next.
public final class ConcatenatedFile: StorageFile, @unchecked Sendable {
    let members: [StorageFile]
    /// Where each member starts, in bytes of the whole.
    let starts: [Int]
    public let size: Int
    public let direct: Bool

    /// `sizes` are the members' usable sizes (whole blocks).
    public init(members: [StorageFile], sizes: [Int]) {
        self.members = members
        var at = 0, starts: [Int] = []
        for s in sizes { starts.append(at); at += s }
        self.starts = starts
        size = at
        direct = members.allSatisfy(\.direct)
    }

    private func member(_ offset: Int) -> (StorageFile, Int)? {
        guard offset >= 0, offset < size else { return nil }
        var i = starts.count - 1
        while starts[i] > offset { i -= 1 }
        return (members[i], offset - starts[i])
    }

    public func write(_ buf: UnsafeRawPointer, count: Int, at offset: Int) -> Bool {
        guard let (f, local) = member(offset) else { return false }
        return f.write(buf, count: count, at: local)
    }
    public func read(_ buf: UnsafeMutableRawPointer, count: Int, at offset: Int) -> Bool {
        guard let (f, local) = member(offset) else { return false }
        return f.read(buf, count: count, at: local)
    }
    public func sync() -> Bool { members.allSatisfy { $0.sync() } }
}
