/// Return types of list ops (cdt.md section 5) and the result encodings they produce.

struct ListRT {
    static let none = 0, index = 1, reverseIndex = 2, rank = 3, reverseRank = 4, count = 5,
               value = 7, exists = 13

    var type: Int
    var inverted: Bool
    /// Multi-item op (results are lists) or single-item op.
    let multi: Bool

    /// Lists answer 26 for the map-only types (KEY, KEY_VALUE, maps), for the server-internal
    /// range types 9-12 and unknown types, and for INVERTED on a single-item op.
    init(raw: Int64, multi: Bool) throws(CDTError) {
        let r = ReturnType(raw)
        switch r.type {
        case ListRT.none, ListRT.index, ListRT.reverseIndex, ListRT.rank, ListRT.reverseRank,
             ListRT.count, ListRT.value, ListRT.exists:
            break
        default:
            throw .opNotApplicable
        }
        if r.inverted && !multi { throw .opNotApplicable }
        type = r.type
        inverted = r.inverted
        self.multi = multi
    }

    init(_ type: Int, multi: Bool, inverted: Bool = false) {
        self.type = type
        self.multi = multi
        self.inverted = inverted
    }

    var isReverse: Bool { type == ListRT.reverseIndex || type == ListRT.reverseRank }
    var isIndex: Bool { type == ListRT.index || type == ListRT.reverseIndex }
    var isRank: Bool { type == ListRT.rank || type == ListRT.reverseRank }
}

enum ListResult {
    static func int(_ v: Int) -> [UInt8] { MP.int(Int64(v)) }

    static func ints(_ v: [Int]) -> [UInt8] {
        var w = MPWriter(capacity: 3 + v.count * 2)
        w.appendArrayHeader(v.count)
        for x in v { w.appendInt(Int64(x)) }
        return w.bytes
    }

    static func values<S: Sequence>(_ items: S, count: Int) -> [UInt8] where S.Element == [UInt8] {
        var w = MPWriter()
        w.appendArrayHeader(count)
        for i in items { w.appendRaw(i) }
        return w.bytes
    }

    /// Positions `start..<start+count`, or their reverse numbering (`n-1-i`) listed ascending.
    static func appendRange(_ out: inout [Int], _ start: Int, _ count: Int, n: Int, reverse: Bool) {
        guard count > 0 else { return }
        let s = reverse ? n - start - count : start
        out.append(contentsOf: s..<(s + count))
    }

    /// Nothing selected (cdt.md section 5): INDEX/RANK -1 or [], COUNT 0, EXISTS false,
    /// single VALUE no result, multi VALUE [].
    static func notFound(_ rt: ListRT) -> [UInt8]? {
        switch rt.type {
        case ListRT.none: return nil
        case ListRT.count: return int(0)
        case ListRT.exists: return MP.bool(false)
        case ListRT.value: return rt.multi ? ints([]) : nil
        default: return rt.multi ? ints([]) : int(-1)
        }
    }

    /// A contiguous index or rank window `[start, start+count)` of `n` elements, honouring
    /// INVERTED for COUNT / EXISTS / INDEX / RANK (server `result_data_set_index_rank_count`).
    /// Note EXISTS + INVERTED answers "the window is empty", exactly as the server does.
    static func window(_ rt: ListRT, start: Int, count: Int, n: Int) -> [UInt8]? {
        switch rt.type {
        case ListRT.none: return nil
        case ListRT.count: return int(rt.inverted ? n - count : count)
        case ListRT.exists: return MP.bool(rt.inverted ? count == 0 : count != 0)
        default:
            if !rt.multi {
                if count == 0 { return int(-1) }
                return int(rt.isReverse ? n - start - 1 : start)
            }
            var out: [Int] = []
            if rt.inverted {
                out.reserveCapacity(n - count)
                appendRange(&out, 0, start, n: n, reverse: rt.isReverse)
                appendRange(&out, start + count, n - start - count, n: n, reverse: rt.isReverse)
            } else {
                out.reserveCapacity(count)
                appendRange(&out, start, count, n: n, reverse: rt.isReverse)
            }
            return ints(out)
        }
    }

    /// INDEX / REVERSE_INDEX of the marked positions, in ascending position order
    /// (single op: the first marked position).
    static func positions(_ rt: ListRT, mask: [Bool]) -> [UInt8] {
        let n = mask.count
        var out: [Int] = []
        for (i, m) in mask.enumerated() where m {
            out.append(rt.isReverse ? n - i - 1 : i)
            if !rt.multi { return int(out[0]) }
        }
        return rt.multi ? ints(out) : int(-1)
    }

    /// The marked elements in storage order.
    static func maskedValues(_ items: [[UInt8]], mask: [Bool]) -> [UInt8] {
        var w = MPWriter()
        var picked: [[UInt8]] = []
        for (i, m) in mask.enumerated() where m { picked.append(items[i]) }
        w.appendArrayHeader(picked.count)
        for p in picked { w.appendRaw(p) }
        return w.bytes
    }
}
