import AeroWire
import AeroExp

/// A stored record as expressions see it. Valid while the partition lock is held.
struct StoredRecordView: ExpRecord {
    let r: RecordRef
    let ns: Namespace
    let now: UInt64

    func bin(_ name: UnsafeRawBufferPointer) -> (particle: UInt8, value: UnsafeRawBufferPointer)? { r.findBin(name) }
    var keyType: UInt8 { r.keyType }
    var key: UnsafeRawBufferPointer { r.key }
    var setName: UnsafeRawBufferPointer { ns.sets.setNameBytes(r.setID) }
    var digestTail: UInt32 { r.digestTail }
    var voidTime: UInt32 { r.voidTime }
    var lastUpdateMs: UInt64 { r.lastUpdateMs }
    var recordSize: Int { r.size }
    var nowMs: UInt64 { now }
}

/// A record in the middle of a write: the work bins, and the stored record's metadata.
struct WorkRecordView: ExpRecord {
    let ctx: TxnContext
    let existing: RecordRef?
    let ns: Namespace
    let setName: UnsafeRawBufferPointer
    let digestTail: UInt32
    let now: UInt64
    let keyType: UInt8
    let key: UnsafeRawBufferPointer

    func bin(_ name: UnsafeRawBufferPointer) -> (particle: UInt8, value: UnsafeRawBufferPointer)? {
        guard let i = ctx.findBin(name) else { return nil }
        return (ctx.bins[i].particle, ctx.bins[i].value)
    }
    var voidTime: UInt32 { existing?.voidTime ?? 0 }
    var lastUpdateMs: UInt64 { existing?.lastUpdateMs ?? now }
    var recordSize: Int { existing?.size ?? 0 }
    var nowMs: UInt64 { now }
}

extension SetTable {
    /// A set's name bytes (empty for no set), stable for the table's life.
    func setNameBytes(_ id: UInt16) -> UnsafeRawBufferPointer {
        guard let s = byID(id) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return s.nameBuffer
    }
}
