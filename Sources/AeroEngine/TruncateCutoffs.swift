/// Truncate cut-offs outlive a restart in `<work-directory>/truncate.lut` (one line per
/// namespace or set: `ns <TAB> set (empty for the namespace) <TAB> lut ms since 2010`), as
/// the real server keeps them in its system metadata. The file is written before a truncate
/// drops anything, so a crash straight after a truncate still finds the cut-off, whether or
/// not the device saw the deletes.
extension Engine {
    var truncateCutoffsPath: String? { udf.directory.map { $0 + "/../truncate.lut" } }

    /// Writes every cut-off. Caller holds `truncateSaveLock` (two truncates at once must not
    /// drop each other's line). False when the file could not be written.
    func writeTruncateCutoffs() -> Bool {
        guard let path = truncateCutoffsPath else { return true }
        var text = ""
        for ns in namespaces {
            let lut = ns.truncateLUT.load(ordering: .relaxed)
            if lut > 0 { text += "\(ns.name)\t\t\(lut)\n" }
            for s in ns.sets.all {
                let slut = s.truncateLUT.load(ordering: .relaxed)
                if slut > 0 { text += "\(ns.name)\t\(s.name)\t\(slut)\n" }
            }
        }
        return writeFile(path, Array(text.utf8), syncDirectory: true)
    }

    /// Restores the cut-offs of an earlier run (after device namespaces are loaded, so their
    /// sets have their ids) and drops what they hide.
    public func loadTruncateCutoffs() {
        guard let path = truncateCutoffsPath, let bytes = readFile(path) else { return }
        var touched: [Namespace] = []
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count == 3, let ns = namespace(named: String(f[0])), let lut = UInt64(f[2]) else { continue }
            if f[1].isEmpty {
                if lut > ns.truncateLUT.load(ordering: .relaxed) { ns.truncateLUT.store(lut, ordering: .relaxed) }
            } else if let s = Array(f[1].utf8).withUnsafeBytes({ ns.sets.intern($0) }),
                      lut > s.truncateLUT.load(ordering: .relaxed) {
                s.truncateLUT.store(lut, ordering: .relaxed)
            }
            if !touched.contains(where: { $0 === ns }) { touched.append(ns) }
        }
        for ns in touched { expireRecords(ns) }  // drops expired and truncated records alike
    }
}
