/// Reads one JSON number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, nothing else
/// (no `+1`, `.5`, `1.`, `01`, hex, `NaN` or `Infinity`). As in jansson, a number without a
/// fraction or exponent is an integer and must fit in 64 bits, and a real that overflows to
/// infinity is an error; a real that underflows becomes 0.
struct JSONNumberScanner {
    let buf: UnsafeRawBufferPointer
    /// Position: at the first character before `scan`, just past the number after it.
    var at: Int

    init(_ buf: UnsafeRawBufferPointer, at: Int) { self.buf = buf; self.at = at }

    private func isDigit(_ i: Int) -> Bool {
        i < buf.count && buf[i] >= UInt8(ascii: "0") && buf[i] <= UInt8(ascii: "9")
    }

    private mutating func digits() -> Bool {
        guard isDigit(at) else { return false }
        while isDigit(at) { at += 1 }
        return true
    }

    mutating func scan() -> Double? {
        let start = at
        if at < buf.count && buf[at] == UInt8(ascii: "-") { at += 1 }
        guard isDigit(at) else { return nil }
        if buf[at] == UInt8(ascii: "0") { at += 1 } else { _ = digits() }
        var integer = true
        if at < buf.count && buf[at] == UInt8(ascii: ".") {
            at += 1
            integer = false
            guard digits() else { return nil }
        }
        if at < buf.count && (buf[at] == UInt8(ascii: "e") || buf[at] == UInt8(ascii: "E")) {
            at += 1
            integer = false
            if at < buf.count && (buf[at] == UInt8(ascii: "+") || buf[at] == UInt8(ascii: "-")) { at += 1 }
            guard digits() else { return nil }
        }
        // The grammar above has been checked, so the standard library's conversions see
        // only plain decimal text (they would also accept forms JSON forbids, like "nan").
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: buf[start..<at]), as: UTF8.self)
        if integer {
            guard let v = Int64(text) else { return nil }  // beyond 64 bits
            return Double(v)
        }
        guard let d = Double(text), d.isFinite else { return nil }
        return d
    }
}
