/// A strict JSON parser (RFC 8259) for the text of GeoJSON values, which comes from clients
/// and must be treated as hostile: every read is bounds-checked, nesting is limited to
/// `maxDepth`, and the parser keeps its own stack (no recursion), so any input ends in a
/// document or nil without exhausting the thread's stack.
///
/// Follows jansson's defaults where the real server relies on them: the whole buffer must be
/// one value plus whitespace, strings must be valid UTF-8 without `\u0000`, integers must fit
/// in 64 bits and reals must not overflow.
struct JSONParser {
    /// jansson's default parsing depth.
    static let maxDepth = 2048

    /// Parses `text`; nil when it is not exactly one JSON value (plus whitespace).
    static func parse(_ text: UnsafeRawBufferPointer) -> JSONDocument? {
        var p = JSONParser(text)
        return p.document()
    }

    /// A container being filled: the elements or pairs read so far.
    private struct Open {
        var isObject: Bool
        var items: [Int] = []
        var pairs: [(key: [UInt8], value: Int)] = []
        var key: [UInt8] = []
    }

    private let buf: UnsafeRawBufferPointer
    private var at = 0
    private var nodes: [JSONDocument.Node] = []

    private init(_ buf: UnsafeRawBufferPointer) { self.buf = buf }

    private mutating func add(_ node: JSONDocument.Node) -> Int {
        nodes.append(node)
        return nodes.count - 1
    }

    private mutating func skipSpace() {
        while at < buf.count {
            switch buf[at] {
            case 0x20, 0x09, 0x0a, 0x0d: at += 1
            default: return
            }
        }
    }

    /// The next byte after whitespace, not consumed; nil at the end.
    private mutating func peek() -> UInt8? {
        skipSpace()
        return at < buf.count ? buf[at] : nil
    }

    /// An object key and its colon.
    private mutating func key() -> [UInt8]? {
        guard peek() == UInt8(ascii: "\"") else { return nil }
        var scanner = JSONStringScanner(buf, at: at)
        guard let k = scanner.scan() else { return nil }
        at = scanner.at
        guard peek() == UInt8(ascii: ":") else { return nil }
        at += 1
        return k
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard buf.count - at >= n else { return false }
        let w = UnsafeRawBufferPointer(start: word.utf8Start, count: n)
        for i in 0..<n where buf[at + i] != w[i] { return false }
        at += n
        return true
    }

    private mutating func document() -> JSONDocument? {
        var stack: [Open] = []
        while true {
            // Read a value: a scalar, or the start of a container.
            guard let c = peek() else { return nil }
            var value: Int
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard stack.count < Self.maxDepth else { return nil }
                at += 1
                let isObject = c == UInt8(ascii: "{")
                let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if peek() == close {
                    at += 1
                    value = add(isObject ? .object([]) : .array([]))
                } else {
                    var open = Open(isObject: isObject)
                    if isObject {
                        guard let k = key() else { return nil }
                        open.key = k
                    }
                    stack.append(open)
                    continue
                }
            case UInt8(ascii: "\""):
                var scanner = JSONStringScanner(buf, at: at)
                guard let s = scanner.scan() else { return nil }
                at = scanner.at
                value = add(.string(s))
            case UInt8(ascii: "t"):
                guard literal("true") else { return nil }
                value = add(.bool(true))
            case UInt8(ascii: "f"):
                guard literal("false") else { return nil }
                value = add(.bool(false))
            case UInt8(ascii: "n"):
                guard literal("null") else { return nil }
                value = add(.null)
            default:
                var scanner = JSONNumberScanner(buf, at: at)
                guard let d = scanner.scan() else { return nil }
                at = scanner.at
                value = add(.number(d))
            }

            // Hand the value to the open container; close containers that end here.
            deliver: while true {
                guard !stack.isEmpty else {
                    skipSpace()
                    return at == buf.count ? JSONDocument(nodes: nodes, root: value) : nil
                }
                let top = stack.count - 1
                if stack[top].isObject {
                    stack[top].pairs.append((key: stack[top].key, value: value))
                } else {
                    stack[top].items.append(value)
                }
                guard let next = peek() else { return nil }
                at += 1
                if next == UInt8(ascii: ",") {
                    if stack[top].isObject {
                        guard let k = key() else { return nil }
                        stack[top].key = k
                    }
                    break deliver  // read the next element
                }
                let closed = stack.removeLast()
                if closed.isObject {
                    guard next == UInt8(ascii: "}") else { return nil }
                    value = add(.object(closed.pairs))
                } else {
                    guard next == UInt8(ascii: "]") else { return nil }
                    value = add(.array(closed.items))
                }
            }
        }
    }
}
