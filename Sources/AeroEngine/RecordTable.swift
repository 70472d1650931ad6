#if canImport(Glibc)
import Glibc
#endif

/// One slot of a partition's index: the digest and the record buffer (nil = empty).
@usableFromInline struct Slot {
    @usableFromInline var digest: Digest
    @usableFromInline var record: UnsafeMutableRawPointer?
}

/// A partition's record index: open addressing with linear probing and backward-shift
/// deletion (no tombstones), keyed by digest. Grows at 3/4 load. No allocation until the
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

    @inlinable func findSlot(_ d: Digest) -> Int? {
        guard let s = slots else { return nil }
        var i = Int(truncatingIfNeeded: d.hash) & mask
        while true {
            guard let _ = s[i].record else { return nil }
            if s[i].digest == d { return i }
            i = (i + 1) & mask
        }
    }

    @inlinable public func get(_ d: Digest) -> UnsafeMutableRawPointer? {
        guard let i = findSlot(d) else { return nil }
        return slots![i].record
    }

    /// Inserts or replaces; returns the previous record, if any (caller frees it).
    @discardableResult
    public mutating func put(_ d: Digest, _ r: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        if (count + 1) * 4 > capacity * 3 { grow() }
        let s = slots!
        var i = Int(truncatingIfNeeded: d.hash) & mask
        while let old = s[i].record {
            if s[i].digest == d { s[i].record = r; return old }
            i = (i + 1) & mask
        }
        s[i] = Slot(digest: d, record: r)
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
            let home = Int(truncatingIfNeeded: s[j].digest.hash) & mask
            // Move j into i if j's home is not cyclically within (i, j].
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
        fresh.initialize(repeating: Slot(digest: Digest(w0: 0, w1: 0, w2: 0), record: nil), count: newCap)
        slots = fresh
        mask = newCap - 1
        count = 0
        if let old {
            for k in 0..<oldCap where old[k].record != nil { put(old[k].digest, old[k].record!) }
            old.deallocate()
        }
    }

    /// Visits every entry. The visitor must not change the table.
    public func forEach(_ visit: (Digest, UnsafeMutableRawPointer) -> Void) {
        guard let s = slots else { return }
        for k in 0...mask { if let r = s[k].record { visit(s[k].digest, r) } }
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
