/// One info command: `name[/arg...][:key=value;...]`.
struct InfoRequest {
    let text: String
    let name: String
    let pathArgs: [String]
    let params: [String: String]

    init(_ text: String) {
        self.text = text
        var head = Substring(text)
        var paramText: Substring = ""
        if let colon = text.firstIndex(of: ":") {
            head = text[..<colon]
            paramText = text[text.index(after: colon)...]
        }
        let parts = head.split(separator: "/", omittingEmptySubsequences: false)
        var n = String(parts.first ?? "")
        if let semi = n.firstIndex(of: ";") { n = String(n[..<semi]) }
        name = n
        pathArgs = parts.dropFirst().map(String.init)
        var p: [String: String] = [:]
        for item in paramText.split(separator: ";") {
            if let eq = item.firstIndex(of: "=") {
                p[String(item[..<eq])] = String(item[item.index(after: eq)...])
            } else {
                p[String(item)] = ""
            }
        }
        params = p
    }

    /// First present parameter among synonyms (`ns`/`namespace`, `id`/`trid`).
    func param(_ names: String...) -> String? {
        for n in names { if let v = params[n] { return v } }
        return nil
    }
}
