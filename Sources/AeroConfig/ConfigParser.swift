/// The aerospike.conf grammar: `name value...` lines, `name [arg] {` opens a context,
/// `}` closes it, `#` starts a comment. Braces may share a line with other statements.
public struct ConfigNode: Sendable {
    public var name: String
    public var values: [String]
    public var line: Int
    /// nil for a plain `key value` line, else the context's children.
    public var children: [ConfigNode]?
}

public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var message: String
    public var description: String { "\(file):\(line): \(message)" }
}

enum ConfigParser {
    struct Token { var text: String; var line: Int; var endsLine: Bool }

    static func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var lineNo = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            var words: [String] = []
            for w in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }) {
                // Split braces off words: "test{" -> "test", "{".
                var cur = ""
                for ch in w {
                    if ch == "{" || ch == "}" {
                        if !cur.isEmpty { words.append(cur); cur = "" }
                        words.append(String(ch))
                    } else { cur.append(ch) }
                }
                if !cur.isEmpty { words.append(cur) }
            }
            for (i, w) in words.enumerated() {
                tokens.append(Token(text: w, line: lineNo, endsLine: i == words.count - 1))
            }
        }
        return tokens
    }

    /// Builds the tree of contexts and statements.
    static func parse(_ text: String, file: String) throws(ConfigError) -> [ConfigNode] {
        let tokens = tokenize(text)
        var stack: [ConfigNode] = [ConfigNode(name: "", values: [], line: 0, children: [])]
        var pending: [Token] = []

        func flushStatement() throws(ConfigError) {
            guard !pending.isEmpty else { return }
            // `address 127.0.0.1 port 3000` on one line (inside braces) is two statements:
            // an even run of four or more words is read as key/value pairs.
            let groups: [ArraySlice<Token>]
            if pending.count >= 4 && pending.count % 2 == 0 {
                groups = stride(from: 0, to: pending.count, by: 2).map { pending[$0..<($0 + 2)] }
            } else {
                groups = [pending[...]]
            }
            for g in groups {
                let first = g.first!
                let node = ConfigNode(name: first.text, values: g.dropFirst().map(\.text), line: first.line, children: nil)
                stack[stack.count - 1].children!.append(node)
            }
            pending.removeAll()
        }
        for t in tokens {
            switch t.text {
            case "{":
                guard let first = pending.first else {
                    throw ConfigError(file: file, line: t.line, message: "'{' without a context name")
                }
                stack.append(ConfigNode(name: first.text, values: pending.dropFirst().map(\.text), line: first.line, children: []))
                pending.removeAll()
            case "}":
                try flushStatement()
                guard stack.count > 1 else { throw ConfigError(file: file, line: t.line, message: "'}' without an open context") }
                let done = stack.removeLast()
                stack[stack.count - 1].children!.append(done)
            default:
                pending.append(t)
                if t.endsLine { try flushStatement() }
            }
        }
        try flushStatement()
        if stack.count > 1 {
            let open = stack.last!
            throw ConfigError(file: file, line: open.line, message: "context '\(open.name)' is never closed (missing '}')")
        }
        return stack[0].children!
    }
}
