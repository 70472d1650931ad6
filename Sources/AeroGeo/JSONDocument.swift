/// A parsed JSON text, flattened: every value is a node in one array and containers refer
/// to their children by index. Nothing in it is recursive, so neither building, reading nor
/// freeing a document recurses, however deep the text was nested.
struct JSONDocument {
    enum Node {
        case null
        case bool(Bool)
        case number(Double)
        /// Unescaped, validated UTF-8.
        case string([UInt8])
        /// Indexes of the elements in `nodes`.
        case array([Int])
        /// Keys with the index of their value, in text order (duplicates kept).
        case object([(key: [UInt8], value: Int)])
    }

    var nodes: [Node]
    var root: Int

    subscript(_ i: Int) -> Node { nodes[i] }

    /// The elements of the array node `i`; nil when it is not an array.
    func array(_ i: Int) -> [Int]? {
        if case .array(let items) = nodes[i] { return items }
        return nil
    }

    /// The number node `i`; nil when it is not a number.
    func number(_ i: Int) -> Double? {
        if case .number(let d) = nodes[i] { return d }
        return nil
    }

    /// The value of `key` in the object node `i`. A key given twice takes its last value,
    /// as jansson (the real server's JSON library) does. nil when absent or not an object.
    func member(_ i: Int, _ key: String) -> Int? {
        guard case .object(let pairs) = nodes[i] else { return nil }
        for pair in pairs.reversed() where pair.key.elementsEqual(key.utf8) { return pair.value }
        return nil
    }

    /// True when node `i` is the string `s`.
    func isString(_ i: Int, _ s: String) -> Bool {
        if case .string(let bytes) = nodes[i] { return bytes.elementsEqual(s.utf8) }
        return false
    }
}
