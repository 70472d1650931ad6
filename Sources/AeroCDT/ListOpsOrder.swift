/// Value-order helpers for list ops: binary search on ordered lists, ranks, the rank-range
/// selection the server uses (its tie-breaking and result order are observable), sorting.

enum ListOrder {
    @inline(__always) static func cmp(_ a: [UInt8], _ b: [UInt8]) -> Int { ValueOrder.compare(a, b) }

    /// First position in `items[from...]` (value-sorted) whose element is >= `v`.
    static func lowerBound(_ items: [[UInt8]], _ v: [UInt8], from: Int = 0) -> Int {
        var lo = from, hi = items.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if cmp(items[mid], v) < 0 { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// First position in `items[from...]` (value-sorted) whose element is > `v`.
    static func upperBound(_ items: [[UInt8]], _ v: [UInt8], from: Int = 0) -> Int {
        var lo = from, hi = items.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if cmp(items[mid], v) <= 0 { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Number of elements smaller than `v` (its rank; ties share the lowest rank).
    static func lessCount(_ items: [[UInt8]], _ v: [UInt8]) -> Int {
        var n = 0
        for e in items where cmp(e, v) < 0 { n += 1 }
        return n
    }

    /// Ranks of many elements of an unordered list: sort once, then binary search.
    struct Ranker {
        let sorted: [[UInt8]]
        init(_ items: [[UInt8]]) { sorted = stableSorted(items) { ListOrder.cmp($0, $1) < 0 } }
        func rank(_ v: [UInt8]) -> Int { ListOrder.lowerBound(sorted, v) }
    }

    /// Positions (in storage order) of `items` sorted by value, stable; descending keeps
    /// equal elements in storage order too.
    static func sortedPositions(_ items: [[UInt8]], descending: Bool = false) -> [Int] {
        let idx = Array(items.indices)
        if descending { return stableSorted(idx) { cmp(items[$0], items[$1]) > 0 } }
        return stableSorted(idx) { cmp(items[$0], items[$1]) < 0 }
    }

    /// The elements of rank window `[start, start+count)` of an unordered list, as positions,
    /// in the order the server returns their values. The server selects with a binary heap
    /// over all positions (a min-heap when the window is nearer the bottom, else a max-heap),
    /// pops `count` plus the elements before the window, and reads the window back from the
    /// popped run; that decides both which of equal elements are picked and the result order
    /// (descending when `start <= n - end`, ascending otherwise: cdt.md section 5).
    static func rankWindow(_ items: [[UInt8]], start: Int, count: Int) -> [Int] {
        let n = items.count
        let tail = n - start - count
        let minHeap = start <= tail
        let discard = minHeap ? start : tail
        let want = minHeap ? -1 : 1   // the comparison result that moves an element up
        var h = Array(0..<n)
        var filled = n

        func c(_ x: Int, _ y: Int) -> Int { cmp(items[x], items[y]) }
        func heapify(_ at: Int) {
            var i = at
            while true {
                let c1 = 2 * i + 1, c2 = 2 * i + 2
                if c1 >= filled { break }
                var child = c1
                if c2 < filled {
                    let r = c(h[c1], h[c2])
                    child = (r == want || r == 0) ? c1 : c2
                }
                if c(h[child], h[i]) == want {
                    h.swapAt(i, child)
                    i = child
                } else {
                    break
                }
            }
        }

        var i = filled / 2 - 1
        while i >= 0 { heapify(i); i -= 1 }

        var end = filled - 1
        for _ in 0..<(count + discard) {
            let top = h[0]
            filled -= 1
            h[0] = h[filled]
            heapify(0)
            h[end] = top
            end -= 1
        }
        return Array(h[filled..<(filled + count)])
    }

    /// Keeps the elements whose mask bit is clear.
    static func remove(_ items: inout [[UInt8]], mask: [Bool]) {
        var out: [[UInt8]] = []
        out.reserveCapacity(items.count)
        for (i, e) in items.enumerated() where !mask[i] { out.append(e) }
        items = out
    }
}

/// Index / count arithmetic (server `calc_index_count`, `calc_rel_index_count`).
enum ListIndex {
    /// Clips `(index, count)` to `[0, n)`. Range ops: a window starting before 0 is shortened,
    /// one starting at or past the end is empty. Single ops (`multi == false`): nil when the
    /// index is out of range.
    static func resolve(_ index: Int64, _ count: UInt64, n: Int, multi: Bool) -> (start: Int, count: Int)? {
        let n64 = Int64(n)
        if index >= n64 { return multi ? (n, 0) : nil }
        let idx = index < 0 ? n64 &+ index : index
        if idx < 0 {
            guard multi else { return nil }
            let before = idx.magnitude
            let c = before < count ? min(count - before, UInt64(n)) : 0
            return (0, Int(c))
        }
        let room = UInt64(n64 - idx)
        return (Int(idx), Int(count >= room ? room : count))
    }

    /// A window relative to position `base`: `(base + index, count)`; a start before 0 moves
    /// to 0 and the count loses what lay before 0 (so `(3,-3,2)` can come out empty).
    static func relative(_ index: Int64, _ count: UInt64, base: Int) -> (index: Int64, count: UInt64) {
        let (sum, overflow) = index.addingReportingOverflow(Int64(base))
        var i = overflow ? Int64.max : sum
        var c = count
        if i < 0 {
            let before = i.magnitude
            c = c > before ? c - before : 0
            i = 0
        }
        return (i, c)
    }
}
