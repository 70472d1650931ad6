/// One of a namespace's 4096 partitions: its record index under its own lock.
/// Every read or write of a record happens with `lock` held, so a single-record
/// operate is atomic.
public final class Partition: @unchecked Sendable {
    public let id: Int
    public let lock = Lock()
    /// Guarded by `lock`.
    public var table = RecordTable()
    public init(id: Int) { self.id = id }
}
