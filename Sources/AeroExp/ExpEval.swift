import AeroCDT
#if canImport(Glibc)
import Glibc
#endif

/// Seconds between the Unix epoch and 2010-01-01.
let clEpochSeconds: Int64 = 1_262_304_000

extension Expression {
    /// Evaluates against a record. UNKNOWN stands for "cannot tell" (missing bin, wrong type,
    /// division by zero...): filters treat it as false, expression ops as a failure.
    public func evaluate<R: ExpRecord>(_ rec: R) -> ExpValue {
        var env = [ExpValue](repeating: .unknown, count: slots)
        return eval(root, rec, &env)
    }

    /// A filter's verdict: only TRUE passes.
    public func passes<R: ExpRecord>(_ rec: R) -> Bool {
        if case .bool(true) = evaluate(rec) { return true }
        return false
    }

    @inline(__always) func kid(_ n: ExpNode, _ i: Int) -> Int { Int(children[Int(n.first) + i]) }

    func eval<R: ExpRecord>(_ i: Int, _ rec: R, _ env: inout [ExpValue]) -> ExpValue {
        let n = nodes[i]
        switch n.op {
        case ExpOp.literal: return n.literal
        case ExpOp.unknown, ExpOp.resultRemove: return n.op == ExpOp.unknown ? .unknown : .nil_
        case ExpOp.eq, ExpOp.ne, ExpOp.gt, ExpOp.ge, ExpOp.lt, ExpOp.le:
            let a = eval(kid(n, 0), rec, &env), b = eval(kid(n, 1), rec, &env)
            guard let c = ExpCompare.compare(a, b) else { return .unknown }
            switch n.op {
            case ExpOp.eq: return .bool(c == 0)
            case ExpOp.ne: return .bool(c != 0)
            case ExpOp.gt: return .bool(c > 0)
            case ExpOp.ge: return .bool(c >= 0)
            case ExpOp.lt: return .bool(c < 0)
            default: return .bool(c <= 0)
            }
        case ExpOp.regex:
            guard case .str(let s) = eval(kid(n, 0), rec, &env) else { return .unknown }
            var text = s.array
            text.append(0)
            let re = regexes[Int(n.regex)]
            let rc = text.withUnsafeBufferPointer { regexec(re, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), 0, nil, 0) }
            return .bool(rc == 0)
        case ExpOp.geo:
            let a = eval(kid(n, 0), rec, &env), b = eval(kid(n, 1), rec, &env)
            guard case .geo(let x) = a, case .geo(let y) = b, let m = ExpGeo.matches(x, y) else { return .unknown }
            return .bool(m)
        case ExpOp.inList:
            let v = eval(kid(n, 0), rec, &env)
            guard case .list(let l) = eval(kid(n, 1), rec, &env), let probe = v.msgpack() else { return .unknown }
            guard let list = try? CDTList.parse(l.array) else { return .unknown }
            return .bool(list.items.contains { ValueOrder.compare($0, probe) == 0 })
        case ExpOp.and, ExpOp.or:
            var sawUnknown = false
            for k in 0..<Int(n.count) {
                switch eval(kid(n, k), rec, &env) {
                case .bool(let b):
                    if n.op == ExpOp.and && !b { return .bool(false) }
                    if n.op == ExpOp.or && b { return .bool(true) }
                default: sawUnknown = true
                }
            }
            return sawUnknown ? .unknown : .bool(n.op == ExpOp.and)
        case ExpOp.not:
            guard case .bool(let b) = eval(kid(n, 0), rec, &env) else { return .unknown }
            return .bool(!b)
        case ExpOp.exclusive:
            var trues = 0
            for k in 0..<Int(n.count) {
                guard case .bool(let b) = eval(kid(n, k), rec, &env) else { return .unknown }
                if b { trues += 1 }
            }
            return .bool(trues == 1)
        case ExpOp.add, ExpOp.sub, ExpOp.mul, ExpOp.div, ExpOp.min, ExpOp.max,
             ExpOp.pow, ExpOp.log, ExpOp.mod, ExpOp.abs, ExpOp.floor, ExpOp.ceil, ExpOp.toInt, ExpOp.toFloat,
             ExpOp.intAnd, ExpOp.intOr, ExpOp.intXor, ExpOp.intNot, ExpOp.lshift, ExpOp.rshift, ExpOp.arshift,
             ExpOp.count, ExpOp.lscan, ExpOp.rscan:
            var args: [ExpValue] = []
            args.reserveCapacity(Int(n.count))
            for k in 0..<Int(n.count) {
                let v = eval(kid(n, k), rec, &env)
                if v.isUnknown { return .unknown }
                args.append(v)
            }
            return ExpMath.apply(n.op, args)
        case ExpOp.digestModulo: return .int(Int64(rec.digestTail % UInt32(truncatingIfNeeded: n.int)))
        case ExpOp.deviceSize, ExpOp.memorySize, ExpOp.recordSize: return .int(Int64(rec.recordSize))
        case ExpOp.lastUpdate: return .int((Int64(rec.lastUpdateMs) + clEpochSeconds * 1000) * 1_000_000)
        case ExpOp.sinceUpdate: return .int(Int64(rec.nowMs) - Int64(rec.lastUpdateMs))
        case ExpOp.voidTime:
            return rec.voidTime == 0 ? .int(-1) : .int((Int64(rec.voidTime) + clEpochSeconds) * 1_000_000_000)
        case ExpOp.ttl:
            guard rec.voidTime != 0 else { return .int(-1) }
            return .int(max(0, Int64(rec.voidTime) - Int64(rec.nowMs / 1000)))
        case ExpOp.setName: return .str(.borrowed(rec.setName))
        case ExpOp.keyExists: return .bool(rec.keyType != 0)
        case ExpOp.isTombstone: return .bool(false)
        case ExpOp.key:
            let v = ExpConvert.particle(rec.keyType, rec.key)
            return v.type == n.type ? v : .unknown
        case ExpOp.bin:
            guard let b = rec.bin(n.name) else { return .unknown }
            let v = ExpConvert.particle(b.particle, b.value)
            return v.type == n.type ? v : .unknown
        case ExpOp.binType:
            return .int(Int64(rec.bin(n.name)?.particle ?? 0))
        case ExpOp.mapKeys, ExpOp.mapValues:
            guard case .map(let m) = eval(kid(n, 0), rec, &env), let map = try? CDTMap.parse(m.array) else { return .unknown }
            return .list(.owned(MP.list(map.entries.map { n.op == ExpOp.mapKeys ? $0.key : $0.value })))
        case ExpOp.cond:
            let pairs = (Int(n.count) - 1) / 2
            for p in 0..<pairs {
                switch eval(kid(n, 2 * p), rec, &env) {
                case .bool(true): return eval(kid(n, 2 * p + 1), rec, &env)
                case .bool(false): continue
                default: return .unknown
                }
            }
            return eval(kid(n, Int(n.count) - 1), rec, &env)
        case ExpOp.variable:
            return env[Int(n.int)]
        case ExpOp.let_:
            if n.int >= 0 {  // a binding
                env[Int(n.int)] = eval(kid(n, 0), rec, &env)
                return .nil_
            }
            for k in 0..<(Int(n.count) - 1) { _ = eval(kid(n, k), rec, &env) }
            return eval(kid(n, Int(n.count) - 1), rec, &env)
        case ExpOp.call:
            return ExpCall.run(self, n, rec, &env)
        default:
            return .unknown
        }
    }
}

/// Bin and key particles as expression values.
enum ExpConvert {
    static func particle(_ p: UInt8, _ v: UnsafeRawBufferPointer) -> ExpValue {
        switch p {
        case 1: return v.count == 8 ? .int(Int64(bitPattern: be64(v))) : .unknown
        case 2: return v.count == 8 ? .float(Double(bitPattern: be64(v))) : .unknown
        case 3: return .str(.borrowed(v))
        case 4, 7...12: return .blob(.borrowed(v), particle: p)
        case 17: return v.count == 1 ? .bool(v[0] != 0) : .unknown
        case 18: return .hll(.borrowed(v))
        case 19: return .map(.borrowed(v))
        case 20: return .list(.borrowed(v))
        case 23:
            guard let text = ExpGeo.particleText(v) else { return .unknown }
            return .geo(.borrowed(text))
        default: return .unknown
        }
    }
    static func be64(_ v: UnsafeRawBufferPointer) -> UInt64 {
        var x: UInt64 = 0
        for i in 0..<8 { x = x << 8 | UInt64(v[i]) }
        return x
    }
}

/// Ordering of two values of the same type; nil when they cannot be compared.
enum ExpCompare {
    static func compare(_ a: ExpValue, _ b: ExpValue) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.float(let x), .float(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (.nil_, .nil_): return 0
        case (.str(let x), .str(let y)): return bytes(x, y)
        case (.blob(let x, _), .blob(let y, _)): return bytes(x, y)
        case (.list, .list):
            guard let x = a.msgpack(), let y = b.msgpack() else { return nil }
            return ValueOrder.compare(x, y)
        case (.map, .map):
            // The real server cannot compare unordered (non-empty) maps: UNKNOWN.
            guard let x = a.msgpack(), let y = b.msgpack(), comparableMap(x), comparableMap(y) else { return nil }
            return ValueOrder.compare(x, y)
        default: return nil
        }
    }
    /// An empty map, or one carrying the key-ordered marker.
    static func comparableMap(_ m: [UInt8]) -> Bool {
        guard let h = try? m.withReader({ r throws(CDTError) in try r.next() }), h.kind == .map else { return false }
        if h.count == 0 { return true }
        guard m.count > h.headerSize + 2 else { return false }
        let t = m[h.headerSize]
        let flags: UInt8? = t == 0xc7 ? m[h.headerSize + 2] : (t == 0xc9 && m.count > h.headerSize + 5 ? m[h.headerSize + 5] : nil)
        return flags.map { $0 & CollectionFlags.ordered != 0 } ?? false
    }

    static func bytes(_ a: ExpBytes, _ b: ExpBytes) -> Int {
        a.with { x in b.with { y in
            let n = Swift.min(x.count, y.count)
            for i in 0..<n where x[i] != y[i] { return x[i] < y[i] ? -1 : 1 }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        } }
    }
}
