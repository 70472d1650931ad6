#if canImport(Glibc)
import Glibc
#endif

/// Arithmetic and integer bit operations. Integer overflow wraps (two's complement), as on
/// the real server; division or modulo by zero is UNKNOWN; INT64_MIN / -1 (which kills the
/// real server) wraps to INT64_MIN and INT64_MIN % -1 gives 0.
enum ExpMath {
    static func apply(_ op: Int, _ a: [ExpValue]) -> ExpValue {
        if case .float = a[0] { return floats(op, a) }
        return ints(op, a)
    }

    static func ints(_ op: Int, _ a: [ExpValue]) -> ExpValue {
        var v: [Int64] = []
        v.reserveCapacity(a.count)
        for x in a {
            switch x {
            case .int(let i): v.append(i)
            case .bool(let b) where op == ExpOp.lscan || op == ExpOp.rscan: v.append(b ? 1 : 0)
            default: return .unknown
            }
        }
        switch op {
        case ExpOp.add: return .int(v.dropFirst().reduce(v[0], &+))
        case ExpOp.sub: return v.count == 1 ? .int(0 &- v[0]) : .int(v.dropFirst().reduce(v[0], &-))
        case ExpOp.mul: return .int(v.dropFirst().reduce(v[0], &*))
        case ExpOp.div:
            if v.count == 1 { return v[0] == 0 ? .unknown : .int(div(1, v[0])) }
            var r = v[0]
            for d in v.dropFirst() {
                if d == 0 { return .unknown }
                r = div(r, d)
            }
            return .int(r)
        case ExpOp.mod:
            guard v[1] != 0 else { return .unknown }
            return .int(v[0].remainderReportingOverflow(dividingBy: v[1]).partialValue)
        case ExpOp.abs: return .int(v[0] < 0 ? 0 &- v[0] : v[0])
        case ExpOp.min: return .int(v.min()!)
        case ExpOp.max: return .int(v.max()!)
        case ExpOp.toFloat: return .float(Double(v[0]))
        case ExpOp.intAnd: return .int(v.dropFirst().reduce(v[0], &))
        case ExpOp.intOr: return .int(v.dropFirst().reduce(v[0], |))
        case ExpOp.intXor: return .int(v.dropFirst().reduce(v[0], ^))
        case ExpOp.intNot: return .int(~v[0])
        case ExpOp.lshift: return .int(v[1] < 0 || v[1] > 63 ? 0 : v[0] << v[1])
        case ExpOp.rshift: return .int(v[1] < 0 || v[1] > 63 ? 0 : Int64(bitPattern: UInt64(bitPattern: v[0]) >> UInt64(v[1])))
        case ExpOp.arshift: return .int(v[0] >> Swift.min(Swift.max(v[1], 0), 63))
        case ExpOp.count: return .int(Int64(v[0].nonzeroBitCount))
        case ExpOp.lscan, ExpOp.rscan:
            // Index of the first bit equal to `search` scanning from the left (lscan) or the
            // right (rscan); bit 0 is the most significant; -1 when there is none.
            let bits = v[1] != 0 ? UInt64(bitPattern: v[0]) : ~UInt64(bitPattern: v[0])
            if bits == 0 { return .int(-1) }
            return .int(op == ExpOp.lscan ? Int64(bits.leadingZeroBitCount) : Int64(63 - bits.trailingZeroBitCount))
        default: return .unknown
        }
    }

    /// Truncating division; INT64_MIN / -1 wraps instead of trapping.
    static func div(_ a: Int64, _ b: Int64) -> Int64 { a.dividedReportingOverflow(by: b).partialValue }

    static func floats(_ op: Int, _ a: [ExpValue]) -> ExpValue {
        var v: [Double] = []
        v.reserveCapacity(a.count)
        for x in a {
            guard case .float(let d) = x else { return .unknown }
            v.append(d)
        }
        switch op {
        case ExpOp.add: return .float(v.dropFirst().reduce(v[0], +))
        case ExpOp.sub: return v.count == 1 ? .float(-v[0]) : .float(v.dropFirst().reduce(v[0], -))
        case ExpOp.mul: return .float(v.dropFirst().reduce(v[0], *))
        case ExpOp.div: return v.count == 1 ? .float(1 / v[0]) : .float(v.dropFirst().reduce(v[0], /))
        case ExpOp.pow: return .float(Glibc.pow(v[0], v[1]))
        case ExpOp.log: return .float(Glibc.log(v[0]) / Glibc.log(v[1]))
        case ExpOp.abs: return .float(Swift.abs(v[0]))
        case ExpOp.floor: return .float(v[0].rounded(.down))
        case ExpOp.ceil: return .float(v[0].rounded(.up))
        case ExpOp.toInt:
            guard v[0].isFinite, v[0] >= -9.2233720368547758e18, v[0] < 9.2233720368547758e18 else { return .unknown }
            return .int(Int64(v[0]))
        case ExpOp.min: return .float(v.min()!)
        case ExpOp.max: return .float(v.max()!)
        default: return .unknown
        }
    }
}
