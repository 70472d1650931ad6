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
        close(fd)
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func putInt(_ out: WireBuffer, _ f: RequestFactory, key: Int, value: Int64) {
        let fr = out.beginFrame(type: ProtoType.message)
        out.appendMsgHeader(info2: Info2.write, result: 0, transactionTTL: 1000, nFields: 3, nOps: 1)
        f.ns.withUnsafeBytes { out.appendField(FieldType.namespace, $0) }
        f.set.withUnsafeBytes { out.appendField(FieldType.set, $0) }
        RequestFactory.digest(key).withUnsafeBytes { out.appendField(FieldType.digest, $0) }
        var v = value.bigEndian
        withUnsafeBytes(of: &v) { vb in Array("n".utf8).withUnsafeBytes { out.appendOp(op: OpType.write, particle: ParticleType.integer, name: $0, value: vb) } }
        out.endFrame(at: fr)
    }

    /// One full scan (all 4096 partitions); returns how many records came back.
    static func scan(_ fd: Int32, _ gen: LoadGenerator, factory f: RequestFactory, filterAtLeast: Int64?) -> Int {
        let out = WireBuffer()
        let fr = out.beginFrame(type: ProtoType.message)
        out.appendMsgHeader(info1: Info1.read, info3: Info3.partitionDone, result: 0, nFields: filterAtLeast == nil ? 3 : 4, nOps: 0)
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
        out.endFrame(at: fr)
        gen.sendAll(fd, out)
        // Read frames, counting record messages, until one carries LAST.
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
