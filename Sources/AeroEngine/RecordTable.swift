#if canImport(Glibc)
import Glibc
#endif

/// One slot of a partition's index (24 bytes): digest bytes 0..15 and the record buffer
/// (nil = empty). Digest bytes 16..19 live in the record header, checked on a match.
@usableFromInline struct Slot {
    @usableFromInline var w0: UInt64
    @usableFromInline var w1: UInt64
    @usableFromInline var record: UnsafeMutableRawPointer?
}

/// A partition's record index: open addressing with linear probing and backward-shift
/// deletion (no tombstones), keyed by digest. Grows at 4/5 load. No allocation until the
/// first insert, so 4096 empty partitions cost almost nothing.
/// Not thread-safe: the owning partition's lock guards it.
public struct RecordTable {
    @usableFromInline var slots: UnsafeMutablePointer<Slot>?
    @usableFromInline var mask: Int = -1
    public private(set) var count: Int = 0

    public init() {}

    public var capacity: Int { mask + 1 }
    /// Bytes the slot array takes (for memory statistics).
    public var indexBytes: Int { capacity * MemoryLayout<Slot>.stride }

    @inlinable static func matches(_ s: Slot, _ d: Digest) -> Bool {
        s.w0 == d.w0 && s.w1 == d.w1 && s.record!.load(fromByteOffset: 12, as: UInt32.self) == d.w2
    }
    @inlinable static func home(_ w1: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: w1) & mask }

    @inlinable func findSlot(_ d: Digest) -> Int? {
        guard let s = slots else { return nil }
        var i = RecordTable.home(d.w1, mask)
        while s[i].record != nil {
            if RecordTable.matches(s[i], d) { return i }
            i = (i + 1) & mask
        }
        return nil
    }

    @inlinable public func get(_ d: Digest) -> UnsafeMutableRawPointer? {
        guard let i = findSlot(d) else { return nil }
        return slots![i].record
    }

    /// Inserts or replaces; returns the previous record, if any (caller frees it).
    /// The record's header must already hold the digest tail.
    @discardableResult
    public mutating func put(_ d: Digest, _ r: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        if (count + 1) * 5 > capacity * 4 { grow() }
        let s = slots!
        var i = RecordTable.home(d.w1, mask)
        while let old = s[i].record {
            if RecordTable.matches(s[i], d) { s[i].record = r; return old }
            i = (i + 1) & mask
        }
        s[i] = Slot(w0: d.w0, w1: d.w1, record: r)
        count += 1
        return nil
    }

    /// Removes; returns the record (caller frees it).
    @discardableResult
    public mutating func remove(_ d: Digest) -> UnsafeMutableRawPointer? {
        guard var i = findSlot(d) else { return nil }
        let s = slots!
        let removed = s[i].record
        // Backward-shift: pull later entries of the probe run into the hole.
        var j = i
        while true {
            j = (j + 1) & mask
            guard s[j].record != nil else { break }
            let home = RecordTable.home(s[j].w1, mask)
            // Leave j where it is if its home lies cyclically within (i, j].
            let inRange = i <= j ? (home > i && home <= j) : (home > i || home <= j)
            if !inRange { s[i] = s[j]; i = j }
        }
        s[i].record = nil
        count -= 1
        return removed
    }

    mutating func grow() {
        let newCap = max(8, capacity * 2)
        let old = slots, oldCap = capacity
        let fresh = UnsafeMutablePointer<Slot>.allocate(capacity: newCap)
        fresh.initialize(repeating: Slot(w0: 0, w1: 0, record: nil), count: newCap)
        slots = fresh
        mask = newCap - 1
        if let old {
            for k in 0..<oldCap where old[k].record != nil {
                var i = RecordTable.home(old[k].w1, mask)
                while fresh[i].record != nil { i = (i + 1) & mask }
                fresh[i] = old[k]
            }
            old.deallocate()
        }
    }

    /// Visits every entry. The visitor must not change the table.
    public func forEach(_ visit: (Digest, UnsafeMutableRawPointer) -> Void) {
        guard let s = slots else { return }
        for k in 0...mask {
            if let r = s[k].record {
                visit(Digest(w0: s[k].w0, w1: s[k].w1, w2: r.load(fromByteOffset: 12, as: UInt32.self)), r)
            }
        }
    }

    /// Frees every record and the slots.
    public mutating func removeAll(freeing: Bool = true) {
        if let s = slots {
            if freeing { for k in 0...mask { if let r = s[k].record { free(r) } } }
            s.deallocate()
        }
        slots = nil; mask = -1; count = 0
    }
}
