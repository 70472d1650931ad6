#if canImport(Glibc)
import Glibc
#endif
import AeroWire

/// `aerolite-bench scan`: loads N records with an integer bin `n` = 0..N-1, then times full
/// scans with and without the filter `n >= 0.9 N` (keeps 10%), and prints both rates in
/// records examined per second.
enum ScanBench {
    static func run(_ o: Options) {
        let gen = LoadGenerator(o)
        let fd = LoadGenerator.connect(o.host, o.port)
        let out = WireBuffer(), input = WireBuffer()
        var k = 0
        while k < o.keys {
            out.reset()
            let n = min(256, o.keys - k)
            for j in 0..<n { putInt(out, gen.factory, key: k + j, value: Int64(k + j)) }
            gen.sendAll(fd, out)
            input.reset()
            while gen.countFrames(input) < n {
                input.reserve(64 * 1024)
                let r = recv(fd, input.base + input.count, input.capacity - input.count, 0)
                if r <= 0 { print("bench: connection lost"); exit(1) }
                input.count += r
            }
            k += n
        }
        let threshold = Int64(o.keys) * 9 / 10
        var best: [Double] = [.infinity, .infinity]
        var matched = [0, 0]
        for round in 0..<6 {
            let filtered = round % 2 == 1
            let t0 = now()
            let records = scan(fd, gen, factory: gen.factory, filterAtLeast: filtered ? threshold : nil)
            let dt = now() - t0
            let i = filtered ? 1 : 0
            best[i] = min(best[i], dt)
            matched[i] = records
        }
        let plain = Double(o.keys) / best[0], filtered = Double(o.keys) / best[1]
        print("result scan records=\(o.keys) plain_rate=\(Int(plain)) plain_returned=\(matched[0]) filtered_rate=\(Int(filtered)) filtered_returned=\(matched[1]) ratio=\(Double(Int(filtered / plain * 100)) / 100)")

        // Secondary index on g (100 distinct values): build time, then g == 7 (1% of the
        // records) through the index vs a scan filtering g == 7.
        let t0 = now()
        _ = info(fd, "sindex-create:namespace=\(o.namespace);set=bench;indexname=bench_g;bin=g;type=numeric")
        while !info(fd, "sindex-stat:namespace=\(o.namespace);indexname=bench_g").contains("load_pct=100") { usleep(10_000) }
        let build = now() - t0
        var bestQuery = Double.infinity, bestScan = Double.infinity
        var qn = 0, sn = 0
        for _ in 0..<3 {
            var t = now()
            qn = query(fd, gen.factory, equal: 7)
            bestQuery = min(bestQuery, now() - t)
            t = now()
            sn = scan(fd, gen, factory: gen.factory, filterAtLeast: nil, filterEqualG: 7)
            bestScan = min(bestScan, now() - t)
        }
        print("result sindex build_s=\(Double(Int(build * 100)) / 100) query_returned=\(qn) query_ms=\(Int(bestQuery * 1000)) scan_returned=\(sn) scan_ms=\(Int(bestScan * 1000)) speedup=\(Double(Int(bestScan / bestQuery * 10)) / 10)")
        close(fd)
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func putInt(_ out: WireBuffer, _ f: RequestFactory, key: Int, value: Int64) {
        let fr = out.beginFrame(type: ProtoType.message)
        out.appendMsgHeader(info2: Info2.write, result: 0, transactionTTL: 1000, nFields: 3, nOps: 2)
        f.ns.withUnsafeBytes { out.appendField(FieldType.namespace, $0) }
        f.set.withUnsafeBytes { out.appendField(FieldType.set, $0) }
        RequestFactory.digest(key).withUnsafeBytes { out.appendField(FieldType.digest, $0) }
        var v = value.bigEndian
        withUnsafeBytes(of: &v) { vb in Array("n".utf8).withUnsafeBytes { out.appendOp(op: OpType.write, particle: ParticleType.integer, name: $0, value: vb) } }
        var g = (value % 100).bigEndian
        withUnsafeBytes(of: &g) { vb in Array("g".utf8).withUnsafeBytes { out.appendOp(op: OpType.write, particle: ParticleType.integer, name: $0, value: vb) } }
        out.endFrame(at: fr)
    }

    /// One full scan (all 4096 partitions); returns how many records came back.
    static func scan(_ fd: Int32, _ gen: LoadGenerator, factory f: RequestFactory, filterAtLeast: Int64?,
                     filterEqualG: Int64? = nil) -> Int {
        let out = WireBuffer()
        let fr = out.beginFrame(type: ProtoType.message)
        let filtered = filterAtLeast != nil || filterEqualG != nil
        out.appendMsgHeader(info1: Info1.read, info3: Info3.partitionDone, result: 0, nFields: filtered ? 4 : 3, nOps: 0)
        f.ns.withUnsafeBytes { out.appendField(FieldType.namespace, $0) }
        f.set.withUnsafeBytes { out.appendField(FieldType.set, $0) }
        var pids = [UInt8]()
        for p in 0..<4096 { pids.append(UInt8(p & 0xff)); pids.append(UInt8(p >> 8)) }
        pids.withUnsafeBytes { out.appendField(FieldType.pidArray, $0) }
        if let k = filterAtLeast {
            // [GE, [BIN, INT, "n"], k]
            var exp: [UInt8] = [0x93, 0x04, 0x93, 0x51, 0x02, 0xa1, UInt8(ascii: "n"), 0xd3]
            withUnsafeBytes(of: k.bigEndian) { exp.append(contentsOf: $0) }
            exp.withUnsafeBytes { out.appendField(FieldType.filterExp, $0) }
        }
        if let g = filterEqualG {
            // [EQ, [BIN, INT, "g"], g]
            var exp: [UInt8] = [0x93, 0x01, 0x93, 0x51, 0x02, 0xa1, UInt8(ascii: "g"), 0xd3]
            withUnsafeBytes(of: g.bigEndian) { exp.append(contentsOf: $0) }
            exp.withUnsafeBytes { out.appendField(FieldType.filterExp, $0) }
        }
        out.endFrame(at: fr)
        gen.sendAll(fd, out)
        return readRecords(fd)
    }

    /// An index query g == value over every partition; returns how many records came back.
    static func query(_ fd: Int32, _ f: RequestFactory, equal value: Int64) -> Int {
        let out = WireBuffer()
        let fr = out.beginFrame(type: ProtoType.message)
        out.appendMsgHeader(info1: Info1.read, info3: Info3.partitionDone, result: 0, nFields: 4, nOps: 0)
        f.ns.withUnsafeBytes { out.appendField(FieldType.namespace, $0) }
        f.set.withUnsafeBytes { out.appendField(FieldType.set, $0) }
        var pids = [UInt8]()
        for p in 0..<4096 { pids.append(UInt8(p & 0xff)); pids.append(UInt8(p >> 8)) }
        pids.withUnsafeBytes { out.appendField(FieldType.pidArray, $0) }
        var range: [UInt8] = [1, 1, UInt8(ascii: "g"), ParticleType.integer, 0, 0, 0, 8]
        withUnsafeBytes(of: value.bigEndian) { range.append(contentsOf: $0) }
        range += [0, 0, 0, 8]
        withUnsafeBytes(of: value.bigEndian) { range.append(contentsOf: $0) }
        range.withUnsafeBytes { out.appendField(FieldType.indexRange, $0) }
        out.endFrame(at: fr)
        var sent = 0
        while sent < out.count { sent += max(0, send(fd, out.base + sent, out.count - sent, Int32(MSG_NOSIGNAL))) }
        return readRecords(fd)
    }

    /// One info command's reply text.
    static func info(_ fd: Int32, _ command: String) -> String {
        let out = WireBuffer()
        let fr = out.beginFrame(type: ProtoType.info)
        out.append(command + "\n")
        out.endFrame(at: fr)
        var sent = 0
        while sent < out.count { sent += max(0, send(fd, out.base + sent, out.count - sent, Int32(MSG_NOSIGNAL))) }
        var header = [UInt8](repeating: 0, count: 8)
        readExact(fd, &header, 8)
        let h = header.withUnsafeBytes { ProtoHeader($0) }
        let buf = WireBuffer(capacity: max(h.size, 64))
        readInto(fd, buf, h.size)
        return String(decoding: buf.bytes, as: UTF8.self)
    }

    /// Reads record messages until LAST; returns how many records came.
    static func readRecords(_ fd: Int32) -> Int {
        var records = 0
        let buf = WireBuffer(capacity: 1 << 20)
        var header = [UInt8](repeating: 0, count: 8)
        while true {
            readExact(fd, &header, 8)
            let h = header.withUnsafeBytes { ProtoHeader($0) }
            buf.reset(); buf.reserve(h.size)
            readInto(fd, buf, h.size)
            var at = 0
            let b = buf.bytes
            while at + 22 <= h.size {
                let info3 = b[at + 3]
                if info3 & Info3.last != 0 { return records }
                records += 1
                let nFields = Int(b.u16BE(at + 18)), nOps = Int(b.u16BE(at + 20))
                at += 22
                for _ in 0..<(nFields + nOps) { at += 4 + Int(b.u32BE(at)) }
            }
        }
    }

    static func readExact(_ fd: Int32, _ into: inout [UInt8], _ n: Int) {
        var got = 0
        while got < n {
            let r = into.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, n - got, 0) }
            if r <= 0 { print("bench: connection lost"); exit(1) }
            got += r
        }
    }
    static func readInto(_ fd: Int32, _ buf: WireBuffer, _ n: Int) {
        while buf.count < n {
            let r = recv(fd, buf.base + buf.count, n - buf.count, 0)
            if r <= 0 { print("bench: connection lost"); exit(1) }
            buf.count += r
        }
    }
}
