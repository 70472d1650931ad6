import AeroWire
import AeroEngine

/// Answers info requests: every command, in request order, as `command\tvalue\n`.
final class InfoHandler {
    typealias Command = (InfoRequest, Connection) -> String
    let server: Server
    private var commands: [String: Command] = [:]

    init(server: Server) {
        self.server = server
        registerCluster()
        registerNamespaces()
        registerAdmin()
        registerUDF()
        registerSIndex()
    }

    func register(_ names: String..., handler: @escaping Command) {
        for n in names { commands[n] = handler }
    }

    func answer(_ body: UnsafeRawBufferPointer, conn: Connection, out: WireBuffer) {
        let f = out.beginFrame(type: ProtoType.info)
        let text = String(decoding: body, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if body.count == 0 { lines = ["node", "build", "edition", "version", "features", "partition-generation"] }
        for line in lines {
            let req = InfoRequest(line)
            let value: String
            if req.name.utf8.count < 32, let cmd = commands[req.name] {
                value = cmd(req, conn)
            } else {
                value = "ERROR:4:unrecognized command"
            }
            out.append(line); out.append(9); out.append(value); out.append(10)
        }
        out.endFrame(at: f)
    }
}
