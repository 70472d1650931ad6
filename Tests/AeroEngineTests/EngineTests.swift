import XCTest
import AeroWire
@testable import AeroEngine

/// The engine driven with hand-built AS_MSG bodies, replies decoded back.
final class EngineTests: XCTestCase {
    var engine: Engine!
    let ctx = TxnContext()

    override func setUp() {
        var ns = NamespaceConfig(name: "test")
        ns.nsupPeriod = 1
        ns.maxRecordSize = 4096
        engine = Engine(namespaces: [ns], clock: Clock(), udf: UDFRegistry(directory: nil))
    }

    struct Op { var op: UInt8; var particle: UInt8 = 0; var name: String; var value: [UInt8] = [] }
    typealias Reply = WireReply

    func digest(_ k: Int) -> [UInt8] { (0..<20).map { UInt8(truncatingIfNeeded: ($0 + 1) * 31 + k * 7) } }

    func request(info1: UInt8 = 0, info2: UInt8 = 0, info3: UInt8 = 0, gen: UInt32 = 0, ttl: UInt32 = 0,
                 set: String = "s", digest d: [UInt8]?, ops: [Op] = []) -> [UInt8] {
        let out = WireBuffer()
        var fields = 1
        if !set.isEmpty { fields += 1 }
        if d != nil { fields += 1 }
        out.appendMsgHeader(info1: info1, info2: info2, info3: info3, result: 0, generation: gen, voidTime: ttl,
                            nFields: UInt16(fields), nOps: UInt16(ops.count))
        Array("test".utf8).withUnsafeBytes { out.appendField(FieldType.namespace, $0) }
        if !set.isEmpty { Array(set.utf8).withUnsafeBytes { out.appendField(FieldType.set, $0) } }
        if let d { d.withUnsafeBytes { out.appendField(FieldType.digest, $0) } }
        for o in ops {
            Array(o.name.utf8).withUnsafeBytes { n in o.value.withUnsafeBytes { out.appendOp(op: o.op, particle: o.particle, name: n, value: $0) } }
        }
        return Array(out.bytes)
    }

    func run(_ body: [UInt8]) -> Reply {
        let out = WireBuffer()
        _ = body.withUnsafeBytes { engine.handle($0, out: out, ctx: ctx) }
        let b = Array(out.bytes)
        XCTAssertEqual(b[1], ProtoType.message)
        return decode(b, at: 8)
    }

    func decode(_ b: [UInt8], at start: Int) -> Reply { WireReply.decode(b, at: start) }

    func int(_ v: Int64) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
    func put(_ k: Int, _ bins: [String: Int64], info2: UInt8 = 0, info3: UInt8 = 0, gen: UInt32 = 0, ttl: UInt32 = 0) -> Reply {
        run(request(info2: Info2.write | info2, info3: info3, gen: gen, ttl: ttl, digest: digest(k),
                    ops: bins.sorted { $0.key < $1.key }.map { Op(op: OpType.write, particle: ParticleType.integer, name: $0.key, value: int($0.value)) }))
    }
    func get(_ k: Int) -> Reply { run(request(info1: Info1.read | Info1.getAll, digest: digest(k))) }

    func testPutGetGenerations() {
        XCTAssertEqual(put(1, ["a": 7]).generation, 1)
        XCTAssertEqual(put(1, ["b": 8]).generation, 2)
        let r = get(1)
        XCTAssertEqual(r.result, ResultCode.ok)
        XCTAssertEqual(r.generation, 2)
        XCTAssertEqual(r.bins["a"], int(7))
        XCTAssertEqual(r.bins["b"], int(8))
        XCTAssertEqual(get(2).result, ResultCode.notFound)
        XCTAssertEqual(engine.namespaces[0].objects.load(ordering: .relaxed), 1)
    }

    func testPolicies() {
        XCTAssertEqual(put(1, ["a": 1], info3: Info3.updateOnly).result, ResultCode.notFound)
        XCTAssertEqual(put(1, ["a": 1], info2: Info2.createOnly).result, ResultCode.ok)
        let dup = put(1, ["a": 1], info2: Info2.createOnly)
        XCTAssertEqual(dup.result, ResultCode.recordExists)
        XCTAssertEqual(dup.generation, 1)  // errors on an existing record carry its generation
        XCTAssertEqual(put(1, ["a": 2], info2: Info2.generation, gen: 5).result, ResultCode.generation)
        XCTAssertEqual(put(1, ["a": 2], info2: Info2.generation, gen: 1).result, ResultCode.ok)
        XCTAssertEqual(put(1, ["a": 2], info2: Info2.generationGT, gen: 2).result, ResultCode.generation)
        XCTAssertEqual(put(1, ["z": 9], info3: Info3.createOrReplace).result, ResultCode.ok)
        XCTAssertEqual(get(1).bins.keys.sorted(), ["z"])
    }

    func testIncrementAndTypeErrors() {
        _ = put(1, ["n": 10])
        let inc = run(request(info1: Info1.read, info2: Info2.write, digest: digest(1),
                              ops: [Op(op: OpType.incr, particle: ParticleType.integer, name: "n", value: int(5)),
                                    Op(op: OpType.read, name: "n")]))
        XCTAssertEqual(inc.result, ResultCode.ok)
        XCTAssertEqual(inc.bins["n"], int(15))
        let bad = run(request(info2: Info2.write, digest: digest(1),
                              ops: [Op(op: OpType.append, particle: ParticleType.string, name: "n", value: Array("x".utf8))]))
        XCTAssertEqual(bad.result, ResultCode.incompatibleType)
        XCTAssertEqual(get(1).bins["n"], int(15), "a failed operate changes nothing")
    }

    func testTTLExpiresWithTheClock() {
        let r = put(1, ["a": 1], ttl: 100)
        XCTAssertGreaterThan(r.voidTime, 0)
        engine.clock.advance(seconds: 100)
        XCTAssertEqual(get(1).result, ResultCode.ok, "alive at its void time")
        engine.clock.advance(seconds: 2)
        XCTAssertEqual(get(1).result, ResultCode.notFound)
        XCTAssertEqual(put(2, ["a": 1], ttl: 0xFFFF_FFF0).result, ResultCode.parameter)
    }

    func testExpirySweepRemovesRecords() {
        for k in 0..<50 { _ = put(k, ["a": 1], ttl: 10) }
        _ = put(99, ["a": 1])
        engine.clock.advance(seconds: 20)
        XCTAssertEqual(engine.expireRecords(engine.namespaces[0]), 50)
        XCTAssertEqual(engine.namespaces[0].objects.load(ordering: .relaxed), 1)
    }

    func testRecordTooBig() {
        let big = run(request(info2: Info2.write, digest: digest(1),
                              ops: [Op(op: OpType.write, particle: ParticleType.blob, name: "b", value: [UInt8](repeating: 1, count: 5000))]))
        XCTAssertEqual(big.result, ResultCode.recordTooBig)
        XCTAssertEqual(get(1).result, ResultCode.notFound)
    }

    func testDeleteAndDurableDelete() {
        _ = put(1, ["a": 1])
        XCTAssertEqual(run(request(info2: Info2.write | Info2.delete | Info2.durableDelete, digest: digest(1))).result, ResultCode.enterpriseOnly)
        XCTAssertEqual(run(request(info2: Info2.write | Info2.delete, digest: digest(1))).result, ResultCode.ok)
        XCTAssertEqual(run(request(info2: Info2.write | Info2.delete, digest: digest(1))).result, ResultCode.notFound)
    }

    func testMalformedRequests() {
        XCTAssertEqual(run([1, 2, 3]).result, ResultCode.parameter)
        XCTAssertEqual(run(request(info1: Info1.read, digest: Array(digest(1).prefix(19)))).result, ResultCode.parameter)
        XCTAssertEqual(run(request(digest: digest(1))).result, ResultCode.parameter)          // neither read nor write
        XCTAssertEqual(run(request(info2: Info2.write, digest: digest(1))).result, ResultCode.parameter)  // no ops
        var wrongNS = request(info1: Info1.read, digest: digest(1))
        wrongNS[22 + 5] = UInt8(ascii: "x")
        XCTAssertEqual(run(wrongNS).result, ResultCode.namespace)
    }

    func testTruncateHidesOlderRecords() throws {
        for k in 0..<10 { _ = put(k, ["a": 1]) }
        engine.clock.advance(seconds: 1)
        try engine.truncate(engine.namespaces[0], set: "s", lutUnixNanos: nil)
        XCTAssertEqual(get(3).result, ResultCode.notFound)
        XCTAssertEqual(engine.namespaces[0].objects.load(ordering: .relaxed), 0)
        XCTAssertEqual(put(3, ["a": 2]).generation, 1)
        XCTAssertThrowsError(try engine.truncate(engine.namespaces[0], set: nil, lutUnixNanos: UInt64.max / 2))
    }

    func testScanStreamsEveryRecordOnceThenLast() {
        for k in 0..<200 { _ = put(k, ["a": Int64(k)]) }
        var pids: [UInt8] = []
        for p in 0..<4096 { pids += [UInt8(p & 0xFF), UInt8(p >> 8)] }
        let out = WireBuffer()
        out.appendMsgHeader(info1: Info1.read, info3: Info3.partitionDone, result: 0, nFields: 3, nOps: 0)
        Array("test".utf8).withUnsafeBytes { out.appendField(FieldType.namespace, $0) }
        Array("s".utf8).withUnsafeBytes { out.appendField(FieldType.set, $0) }
        pids.withUnsafeBytes { out.appendField(FieldType.pidArray, $0) }
        let body = Array(out.bytes)
        let reply = WireBuffer()
        guard case .stream(let cursor) = body.withUnsafeBytes({ engine.handle($0, out: reply, ctx: ctx) }) else {
            return XCTFail("expected a stream")
        }
        var records = 0, lasts = 0
        while !cursor.done {
            reply.reset()
            cursor.fill(reply, ctx: ctx, target: 4096)
            let b = Array(reply.bytes)
            var f = 0
            while f < b.count {
                let size = Int(b[f + 2]) << 40 | Int(b[f + 3]) << 32 | Int(b[f + 4]) << 24 | Int(b[f + 5]) << 16 | Int(b[f + 6]) << 8 | Int(b[f + 7])
                var at = f + 8
                while at < f + 8 + size {
                    let r = decode(b, at: at)
                    if r.info3 & Info3.last != 0 { lasts += 1 } else { records += 1 }
                    // skip this message: header, fields, ops
                    let nFields = Int(b[at + 18]) << 8 | Int(b[at + 19]), nOps = Int(b[at + 20]) << 8 | Int(b[at + 21])
                    at += 22
                    for _ in 0..<(nFields + nOps) {
                        at += 4 + (Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3]))
                    }
                }
                f += 8 + size
            }
        }
        XCTAssertEqual(records, 200)
        XCTAssertEqual(lasts, 1)
    }
}
