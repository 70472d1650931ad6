/// Reads one JSON string starting at its opening quote: resolves escapes (incl. `\u` surrogate
/// pairs) and checks that the result is valid UTF-8. Rejects, as jansson does: raw control
/// characters, unknown escapes, lone or misordered surrogates, `\u0000`, and invalid UTF-8
/// (overlong forms, encoded surrogates, code points above U+10FFFF, truncated sequences).
struct JSONStringScanner {
    let buf: UnsafeRawBufferPointer
    /// Position: at the opening quote before `scan`, just past the closing quote after it.
    var at: Int

    init(_ buf: UnsafeRawBufferPointer, at: Int) { self.buf = buf; self.at = at }

    mutating func scan() -> [UInt8]? {
        guard at < buf.count, buf[at] == UInt8(ascii: "\"") else { return nil }
        at += 1
        var out: [UInt8] = []
        while at < buf.count {
            let c = buf[at]
            switch c {
            case UInt8(ascii: "\""):
                at += 1
                return out
            case UInt8(ascii: "\\"):
                guard escape(into: &out) else { return nil }
            case 0x00..<0x20:
                return nil
            case 0x20..<0x80:
                out.append(c)
                at += 1
            default:
                let n = utf8SequenceLength(at)
                guard n > 0 else { return nil }
                for i in 0..<n { out.append(buf[at + i]) }
                at += n
            }
        }
        return nil  // no closing quote
    }

    /// One escape sequence at `at` (the backslash).
    private mutating func escape(into out: inout [UInt8]) -> Bool {
        guard at + 1 < buf.count else { return false }
        let e = buf[at + 1]
        at += 2
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0c)
        case UInt8(ascii: "n"): out.append(0x0a)
        case UInt8(ascii: "r"): out.append(0x0d)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            guard var scalar = hex4() else { return false }
            if scalar >= 0xd800 && scalar <= 0xdbff {
                // A high surrogate must be followed by `\u` and a low surrogate.
                guard at + 1 < buf.count, buf[at] == UInt8(ascii: "\\"), buf[at + 1] == UInt8(ascii: "u") else { return false }
                at += 2
                guard let low = hex4(), low >= 0xdc00 && low <= 0xdfff else { return false }
                scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
            } else if scalar >= 0xdc00 && scalar <= 0xdfff {
                return false
            }
            guard scalar != 0 else { return false }
            appendUTF8(scalar, to: &out)
        default:
            return false
        }
        return true
    }

    /// Four hex digits at `at`.
    private mutating func hex4() -> UInt32? {
        guard buf.count - at >= 4 else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 {
            let c = buf[at + i]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
        }
        at += 4
        return v
    }

    private func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80:
            out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xc0 | v >> 6)); out.append(UInt8(0x80 | v & 0x3f))
        case 0x800..<0x10000:
            out.append(UInt8(0xe0 | v >> 12)); out.append(UInt8(0x80 | v >> 6 & 0x3f)); out.append(UInt8(0x80 | v & 0x3f))
        default:
            out.append(UInt8(0xf0 | v >> 18)); out.append(UInt8(0x80 | v >> 12 & 0x3f))
            out.append(UInt8(0x80 | v >> 6 & 0x3f)); out.append(UInt8(0x80 | v & 0x3f))
        }
    }

    /// Length of the well-formed multi-byte UTF-8 sequence at `i`, 0 if it is not one
    /// (Unicode table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF).
    private func utf8SequenceLength(_ i: Int) -> Int {
        let b0 = buf[i]
        let n: Int
        var lo: UInt8 = 0x80, hi: UInt8 = 0xbf  // range of the second byte
        switch b0 {
        case 0xc2...0xdf: n = 2
        case 0xe0: n = 3; lo = 0xa0
        case 0xe1...0xec, 0xee...0xef: n = 3
        case 0xed: n = 3; hi = 0x9f
        case 0xf0: n = 4; lo = 0x90
        case 0xf1...0xf3: n = 4
        case 0xf4: n = 4; hi = 0x8f
        default: return 0
        }
        guard buf.count - i >= n else { return 0 }
        guard buf[i + 1] >= lo && buf[i + 1] <= hi else { return 0 }
        for k in 2..<n where buf[i + k] & 0xc0 != 0x80 { return 0 }
        return n
    }
}
