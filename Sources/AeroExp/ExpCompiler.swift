import AeroCDT
import AeroGeo
#if canImport(Glibc)
import Glibc
#endif

/// A compiled expression: nodes in a flat array, built once per request from the request's
/// bytes (which must outlive it), evaluated against any number of records.
public final class Expression {
    var nodes: [ExpNode] = []
    var children: [Int32] = []
    var root: Int = 0
    var slots = 0
    /// Compiled POSIX regexes (freed with the expression).
    var regexes: [UnsafeMutablePointer<regex_t>] = []

    public var resultType: ExpType { nodes[root].type }

    deinit {
        for r in regexes { regfree(r); r.deallocate() }
    }

    /// Compiles `bytes` (one msgpack value). Malformed or ill-typed → ExpError(4).
    public static func compile(_ bytes: UnsafeRawBufferPointer) throws(ExpError) -> Expression {
        guard bytes.count <= 1 << 20 else { throw .bad("expression over 1 MiB") }
        do { try MPReader.validate(bytes, maxDepth: 64) } catch { throw .bad("malformed or too deeply nested msgpack") }
        let e = Expression()
        var c = ExpCompiler(e: e)
        var r = MPReader(bytes)
        e.root = try c.node(&r, depth: 0)
        return e
    }

    /// A filter: must be boolean.
    public static func compileFilter(_ bytes: UnsafeRawBufferPointer) throws(ExpError) -> Expression {
        let e = try compile(bytes)
        guard e.resultType == .bool || e.resultType == .any else { throw .bad("filter is not boolean") }
        return e
    }
}

struct ExpCompiler {
    let e: Expression
    /// Variables in scope: name bytes → slot.
    var scope: [([UInt8], Int)] = []

    mutating func node(_ r: inout MPReader, depth: Int) throws(ExpError) -> Int {
        guard depth < 64 else { throw .bad("expression nested too deeply") }
        let h: MPHeader
        do { h = try r.header() } catch { throw .bad("truncated") }
        if h.kind != .list {
            // A literal.
            let start = r.at
            do { try r.skip() } catch { throw .bad("truncated literal") }
            let bytes = UnsafeRawBufferPointer(rebasing: r.buf[start..<r.at])
            guard let v = ExpValue.fromMsgpack(bytes, owned: false) else { throw .bad("unsupported literal") }
            // GeoJSON literals are checked when the expression is built, as the real server does.
            if case .geo(let text) = v, text.with({ Geo.parse($0) }) == nil { throw .bad("invalid GeoJSON literal") }
            return add(ExpNode(op: ExpOp.literal, type: v.type, literal: v))
        }
        do { _ = try r.next() } catch { throw .bad("truncated") }
        let n = h.children
        guard n >= 1 else { throw .bad("empty operation") }
        let code = try int(&r)
        let argc = n - 1
        switch Int(code) {
        case ExpOp.unknown:
            try exact(argc, 0)
            return add(ExpNode(op: ExpOp.unknown, type: .any))
        case ExpOp.eq, ExpOp.ne, ExpOp.gt, ExpOp.ge, ExpOp.lt, ExpOp.le:
            try exact(argc, 2)
            let kids = try args(&r, argc, depth)
            let (a, b) = (e.nodes[kids[0]].type, e.nodes[kids[1]].type)
            guard compatible(a, b) else { throw .bad("comparison of different types") }
            if a == .geo || a == .hll || b == .geo || b == .hll { throw .bad("type not comparable") }
            return add(ExpNode(op: Int(code), type: .bool), kids)
        case ExpOp.regex:
            try exact(argc, 3)
            let flags = try int(&r)
            let pattern = try rawString(&r)
            let kid = try node(&r, depth: depth + 1)
            try expect(kid, .str)
            var node = ExpNode(op: ExpOp.regex, type: .bool, int: flags)
            node.regex = try compileRegex(pattern, flags: flags)
            return add(node, [kid])
        case ExpOp.geo:
            try exact(argc, 2)
            let kids = try args(&r, argc, depth)
            for k in kids { try expect(k, .geo) }
            return add(ExpNode(op: ExpOp.geo, type: .bool), kids)
        case ExpOp.inList:
            try exact(argc, 2)
            let kids = try args(&r, argc, depth)
            try expect(kids[1], .list)
            return add(ExpNode(op: ExpOp.inList, type: .bool), kids)
        case ExpOp.and, ExpOp.or, ExpOp.exclusive:
            guard argc >= 2 else { throw .bad("logic needs two or more arguments") }
            let kids = try args(&r, argc, depth)
            for k in kids { try expect(k, .bool) }
            return add(ExpNode(op: Int(code), type: .bool), kids)
        case ExpOp.not:
            try exact(argc, 1)
            let kids = try args(&r, argc, depth)
            try expect(kids[0], .bool)
            return add(ExpNode(op: ExpOp.not, type: .bool), kids)
        case ExpOp.add, ExpOp.sub, ExpOp.mul, ExpOp.div, ExpOp.min, ExpOp.max:
            guard argc >= 1 else { throw .bad("arithmetic needs arguments") }
            let kids = try args(&r, argc, depth)
            return add(ExpNode(op: Int(code), type: try numeric(kids)), kids)
        case ExpOp.pow, ExpOp.log:
            try exact(argc, 2)
            let kids = try args(&r, argc, depth)
            for k in kids { try expect(k, .float) }
            return add(ExpNode(op: Int(code), type: .float), kids)
        case ExpOp.mod:
            try exact(argc, 2)
            let kids = try args(&r, argc, depth)
            for k in kids { try expect(k, .int) }
            return add(ExpNode(op: ExpOp.mod, type: .int), kids)
        case ExpOp.abs:
            try exact(argc, 1)
            let kids = try args(&r, argc, depth)
            return add(ExpNode(op: ExpOp.abs, type: try numeric(kids)), kids)
        case ExpOp.floor, ExpOp.ceil:
            try exact(argc, 1)
            let kids = try args(&r, argc, depth)
            try expect(kids[0], .float)
            return add(ExpNode(op: Int(code), type: .float), kids)
        case ExpOp.toInt:
            try exact(argc, 1)
            let kids = try args(&r, argc, depth)
            try expect(kids[0], .float)
            return add(ExpNode(op: ExpOp.toInt, type: .int), kids)
        case ExpOp.toFloat:
            try exact(argc, 1)
            let kids = try args(&r, argc, depth)
            try expect(kids[0], .int)
            return add(ExpNode(op: ExpOp.toFloat, type: .float), kids)
        case ExpOp.intAnd, ExpOp.intOr, ExpOp.intXor:
            guard argc >= 2 else { throw .bad("integer logic needs two or more arguments") }
            let kids = try args(&r, argc, depth)
            for k in kids { try expect(k, .int) }
            return add(ExpNode(op: Int(code), type: .int), kids)
        case ExpOp.intNot, ExpOp.count:
            try exact(argc, 1)
            let kids = try args(&r, argc, depth)
            try expect(kids[0], .int)
            return add(ExpNode(op: Int(code), type: .int), kids)
        case ExpOp.lshift, ExpOp.rshift, ExpOp.arshift:
            try exact(argc, 2)
            let kids = try args(&r, argc, depth)
            for k in kids { try expect(k, .int) }
            return add(ExpNode(op: Int(code), type: .int), kids)
        case ExpOp.lscan, ExpOp.rscan:
            try exact(argc, 2)
            let kids = try args(&r, argc, depth)
            try expect(kids[0], .int); try expect(kids[1], .bool)
            return add(ExpNode(op: Int(code), type: .int), kids)
        case ExpOp.digestModulo:
            try exact(argc, 1)
            let m = try int(&r)
            guard m > 0 else { throw .bad("digest modulo must be positive") }
            return add(ExpNode(op: ExpOp.digestModulo, type: .int, int: m))
        case ExpOp.deviceSize, ExpOp.lastUpdate, ExpOp.sinceUpdate, ExpOp.voidTime, ExpOp.ttl,
             ExpOp.memorySize, ExpOp.recordSize:
            try exact(argc, 0)
            return add(ExpNode(op: Int(code), type: .int))
        case ExpOp.setName:
            try exact(argc, 0)
            return add(ExpNode(op: ExpOp.setName, type: .str))
        case ExpOp.keyExists, ExpOp.isTombstone:
            try exact(argc, 0)
            return add(ExpNode(op: Int(code), type: .bool))
        case ExpOp.key:
            try exact(argc, 1)
            let t = try type(&r)
            guard t == .int || t == .str || t == .blob else { throw .bad("key type must be int, string or blob") }
            return add(ExpNode(op: ExpOp.key, type: t))
        case ExpOp.bin:
            try exact(argc, 2)
            let t = try type(&r)
            let name = try rawString(&r)
            guard name.count <= 15 else { throw .bad("bin name too long") }
            return add(ExpNode(op: ExpOp.bin, type: t, name: name))
        case ExpOp.binType:
            try exact(argc, 1)
            let name = try rawString(&r)
            return add(ExpNode(op: ExpOp.binType, type: .int, name: name))
        case ExpOp.resultRemove:
            try exact(argc, 0)
            return add(ExpNode(op: ExpOp.resultRemove, type: .any))
        case ExpOp.mapKeys, ExpOp.mapValues:
            try exact(argc, 1)
            let kids = try args(&r, argc, depth)
            try expect(kids[0], .map)
            return add(ExpNode(op: Int(code), type: .list), kids)
        case ExpOp.cond:
            guard argc >= 3, argc % 2 == 1 else { throw .bad("cond needs condition/value pairs and a default") }
            let kids = try args(&r, argc, depth)
            var t = ExpType.any
            for (i, k) in kids.enumerated() {
                if i % 2 == 0 && i != argc - 1 { try expect(k, .bool); continue }
                let kt = e.nodes[k].type
                if kt == .any { continue }
                if t == .any { t = kt } else if t != kt { throw .bad("cond branches of different types") }
            }
            return add(ExpNode(op: ExpOp.cond, type: t), kids)
        case ExpOp.variable:
            try exact(argc, 1)
            let name = Array(try rawString(&r))
            guard let slot = scope.last(where: { $0.0 == name })?.1 else { throw .bad("unknown variable") }
            return add(ExpNode(op: ExpOp.variable, type: .any, int: Int64(slot)))
        case ExpOp.let_:
            guard argc >= 3, argc % 2 == 1 else { throw .bad("let needs name/value pairs and a body") }
            let depthBefore = scope.count
            var kids: [Int] = []
            for _ in 0..<(argc / 2) {
                let name = Array(try rawString(&r))
                guard let f = name.first, (f >= 65 && f <= 90) || (f >= 97 && f <= 122) || f == 95,
                      name.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 })
                else { throw .bad("bad variable name") }
                // A name already bound here or in an enclosing LET is a duplicate (no shadowing).
                if scope.contains(where: { $0.0 == name }) { throw .bad("variable defined twice") }
                let value = try node(&r, depth: depth + 1)
                let slot = e.slots
                e.slots += 1
                scope.append((name, slot))
                kids.append(add(ExpNode(op: ExpOp.let_, type: .any, int: Int64(slot)), [value]))
            }
            let body = try node(&r, depth: depth + 1)
            scope.removeSubrange(depthBefore...)
            kids.append(body)
            return add(ExpNode(op: ExpOp.let_, type: e.nodes[body].type, int: -1), kids)
        case ExpOp.quote:
            try exact(argc, 1)
            let start = r.at
            do { try r.skip() } catch { throw .bad("truncated") }
            let bytes = UnsafeRawBufferPointer(rebasing: r.buf[start..<r.at])
            guard let v = ExpValue.fromMsgpack(bytes, owned: false), v.type == .list else { throw .bad("quote needs a list") }
            return add(ExpNode(op: ExpOp.literal, type: .list, literal: v))
        case ExpOp.call:
            return try call(&r, argc, depth)
        default:
            throw .bad("unknown expression op \(code)")
        }
    }

    /// CALL: `[127, result_type, system, op_list, target]`. The op list's array arguments are
    /// sub-expressions, compiled here; the op list itself is rebuilt per evaluation.
    mutating func call(_ r: inout MPReader, _ argc: Int, _ depth: Int) throws(ExpError) -> Int {
        try exact(argc, 4)
        let t = try type(&r)
        let system = try int(&r)
        guard system & ~0x40 == 0 else {
            throw system & ~0x40 <= 2 ? ExpError(16, "bit and HLL calls are not supported yet") : .bad("unknown call system")
        }
        let opStart = r.at
        let h: MPHeader
        do { h = try r.header() } catch { throw .bad("truncated") }
        guard h.kind == .list, h.children >= 1 else { throw .bad("call op list must be an array") }
        do { _ = try r.next() } catch { throw .bad("truncated") }
        // Walk the op list: [code, args...] or [0xff, ctx, [code, args...]].
        var kids: [Int] = []
        let code = try int(&r)
        if code == 0xff {
            guard h.children == 3 else { throw .bad("context call needs a context and an op") }
            do { try r.skip() } catch { throw .bad("truncated") }  // the context: not evaluated
            let inner: MPHeader
            do { inner = try r.next() } catch { throw .bad("truncated") }
            guard inner.kind == .list, inner.children >= 1 else { throw .bad("bad op") }
            _ = try int(&r)
            for _ in 1..<inner.children { kids.append(try opArg(&r, depth)) }
        } else if code == 0xfe {
            throw ExpError(16, "path select calls are not supported yet")
        } else {
            for _ in 1..<h.children { kids.append(try opArg(&r, depth)) }
        }
        let opBytes = UnsafeRawBufferPointer(rebasing: r.buf[opStart..<r.at])
        let target = try node(&r, depth: depth + 1)
        let tt = e.nodes[target].type
        guard tt == .list || tt == .map || tt == .any else { throw .bad("call target must be a list or map") }
        kids.append(target)
        return add(ExpNode(op: ExpOp.call, type: t, int: system, name: opBytes), kids)
    }

    /// An op-list argument: arrays are sub-expressions; anything else a literal (node -1 marks
    /// "copy the literal bytes as they are").
    mutating func opArg(_ r: inout MPReader, _ depth: Int) throws(ExpError) -> Int {
        let h: MPHeader
        do { h = try r.header() } catch { throw .bad("truncated") }
        if h.kind == .list { return try node(&r, depth: depth + 1) }
        let start = r.at
        do { try r.skip() } catch { throw .bad("truncated") }
        let bytes = UnsafeRawBufferPointer(rebasing: r.buf[start..<r.at])
        var n = ExpNode(op: ExpOp.literal, type: .any)
        n.name = bytes  // raw msgpack, copied as is into the op list
        n.literal = ExpValue.fromMsgpack(bytes, owned: false) ?? .nil_
        return add(n)
    }

    // MARK: helpers

    mutating func add(_ n: ExpNode, _ kids: [Int] = []) -> Int {
        var node = n
        node.first = Int32(e.children.count)
        node.count = Int32(kids.count)
        for k in kids { e.children.append(Int32(k)) }
        e.nodes.append(node)
        return e.nodes.count - 1
    }
    mutating func args(_ r: inout MPReader, _ n: Int, _ depth: Int) throws(ExpError) -> [Int] {
        var kids: [Int] = []
        kids.reserveCapacity(n)
        for _ in 0..<n { kids.append(try node(&r, depth: depth + 1)) }
        return kids
    }
    func exact(_ argc: Int, _ n: Int) throws(ExpError) {
        if argc != n { throw .bad("wrong number of arguments") }
    }
    func int(_ r: inout MPReader) throws(ExpError) -> Int64 {
        guard let h = try? r.next(), h.kind == .int || h.kind == .negInt else { throw .bad("integer expected") }
        return h.int
    }
    func type(_ r: inout MPReader) throws(ExpError) -> ExpType {
        guard let t = ExpType(rawValue: Int(try int(&r))), t != .any else { throw .bad("bad result type") }
        return t
    }
    /// A raw msgpack string (bin, variable names, regex): str or bin family, no prefix byte.
    func rawString(_ r: inout MPReader) throws(ExpError) -> UnsafeRawBufferPointer {
        guard let h = try? r.header(), h.kind == .string || h.kind == .bytes || h.kind == .geojson else {
            throw .bad("string expected")
        }
        let start = r.at + h.headerSize
        _ = try? r.next()
        return UnsafeRawBufferPointer(rebasing: r.buf[start..<(start + h.payloadSize)])
    }
    func expect(_ k: Int, _ t: ExpType) throws(ExpError) {
        let kt = e.nodes[k].type
        if kt != t && kt != .any { throw .bad("argument of the wrong type") }
    }
    func compatible(_ a: ExpType, _ b: ExpType) -> Bool { a == b || a == .any || b == .any }
    /// All-int or all-float arguments; the result has that type.
    func numeric(_ kids: [Int]) throws(ExpError) -> ExpType {
        var t = ExpType.any
        for k in kids {
            let kt = e.nodes[k].type
            if kt == .any { continue }
            guard kt == .int || kt == .float else { throw .bad("arithmetic on a non-number") }
            if t == .any { t = kt } else if t != kt { throw .bad("arithmetic mixes int and float") }
        }
        return t
    }
    func compileRegex(_ pattern: UnsafeRawBufferPointer, flags: Int64) throws(ExpError) -> Int32 {
        var text = Array(pattern)
        text.append(0)
        let re = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        // Only the four POSIX cflags bits mean something; the server ignores the rest.
        let rc = text.withUnsafeBufferPointer { regcomp(re, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(flags & 0x0f)) }
        guard rc == 0 else { re.deallocate(); throw .bad("invalid regex") }
        e.regexes.append(re)
        return Int32(e.regexes.count - 1)
    }
}
