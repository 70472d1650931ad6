/// Standard base64 with padding (info protocol: replicas bitmaps, UDF content, user agent).
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    public static func encode<C: Collection>(_ data: C) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity((data.count + 2) / 3 * 4)
        var it = data.makeIterator()
        while let a = it.next() {
            let b = it.next(), c = it.next()
            out.append(alphabet[Int(a >> 2)])
            out.append(alphabet[Int((a & 3) << 4 | (b ?? 0) >> 4)])
            out.append(b == nil ? UInt8(ascii: "=") : alphabet[Int(((b ?? 0) & 0x0F) << 2 | (c ?? 0) >> 6)])
            out.append(c == nil ? UInt8(ascii: "=") : alphabet[Int((c ?? 0) & 0x3F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// nil on a length that is not a multiple of 4 or on a character outside the alphabet.
    public static func decode<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        let chars = Array(text)
        guard chars.count % 4 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 4 * 3)
        var i = 0
        while i < chars.count {
            var v: UInt32 = 0, pad = 0
            for k in 0..<4 {
                let c = chars[i + k]
                if c == UInt8(ascii: "=") {
                    guard i + 4 == chars.count, k >= 2 else { return nil }
                    pad += 1; v <<= 6; continue
                }
                guard pad == 0 else { return nil }
                let d = reverse[Int(c)]
                guard d != 0xFF else { return nil }
                v = v << 6 | UInt32(d)
            }
            out.append(UInt8(v >> 16))
            if pad < 2 { out.append(UInt8((v >> 8) & 0xFF)) }
            if pad < 1 { out.append(UInt8(v & 0xFF)) }
            i += 4
        }
        return out
    }
}
