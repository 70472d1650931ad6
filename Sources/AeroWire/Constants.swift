/// Protocol numbers shared by the server and the clients (see shared/protocol/README.md, kv.md).

public enum ProtoType {
    public static let info: UInt8 = 1
    public static let admin: UInt8 = 2
    public static let message: UInt8 = 3
    public static let compressed: UInt8 = 4
}

public enum ProtoLimits {
    /// Largest body the real server accepts (PROTO_SIZE_MAX); larger closes the connection.
    public static let maxBody = 128 * 1024 * 1024
    public static let msgHeaderSize = 22
}

public enum FieldType {
    public static let namespace: UInt8 = 0
    public static let set: UInt8 = 1
    public static let key: UInt8 = 2
    public static let recordVersion: UInt8 = 3
    public static let digest: UInt8 = 4
    public static let mrtID: UInt8 = 5
    public static let mrtDeadline: UInt8 = 6
    public static let trid: UInt8 = 7
    public static let socketTimeout: UInt8 = 9
    public static let recordsPerSecond: UInt8 = 10
    public static let pidArray: UInt8 = 11
    public static let digestArray: UInt8 = 12
    public static let maxRecords: UInt8 = 13
    public static let bvalArray: UInt8 = 15
    public static let indexName: UInt8 = 21
    public static let indexRange: UInt8 = 22
    public static let indexContext: UInt8 = 23
    public static let indexExpression: UInt8 = 24
    public static let indexType: UInt8 = 26
    public static let udfFilename: UInt8 = 30
    public static let udfFunction: UInt8 = 31
    public static let udfArglist: UInt8 = 32
    public static let udfOp: UInt8 = 33
    public static let queryBinList: UInt8 = 40
    public static let batch: UInt8 = 41
    public static let batchWithSet: UInt8 = 42
    public static let filterExp: UInt8 = 43
}

public enum OpType {
    public static let read: UInt8 = 1
    public static let write: UInt8 = 2
    public static let cdtRead: UInt8 = 3
    public static let cdtModify: UInt8 = 4
    public static let incr: UInt8 = 5
    public static let expRead: UInt8 = 7
    public static let expModify: UInt8 = 8
    public static let append: UInt8 = 9
    public static let prepend: UInt8 = 10
    public static let touch: UInt8 = 11
    public static let bitRead: UInt8 = 12
    public static let bitModify: UInt8 = 13
    public static let deleteAll: UInt8 = 14
    public static let hllRead: UInt8 = 15
    public static let hllModify: UInt8 = 16

    /// Ops that produce a result value (server OP_IS_READ).
    @inlinable public static func isRead(_ op: UInt8) -> Bool {
        op == read || op == cdtRead || op == expRead || op == bitRead || op == hllRead
    }
    @inlinable public static func isKnown(_ op: UInt8) -> Bool {
        (1...16).contains(op) && op != 6
    }
}

public enum ParticleType {
    public static let null: UInt8 = 0
    public static let integer: UInt8 = 1
    public static let float: UInt8 = 2
    public static let string: UInt8 = 3
    public static let blob: UInt8 = 4
    public static let javaBlob: UInt8 = 7
    public static let erlangBlob: UInt8 = 12
    public static let vector: UInt8 = 16
    public static let bool: UInt8 = 17
    public static let hll: UInt8 = 18
    public static let map: UInt8 = 19
    public static let list: UInt8 = 20
    public static let geojson: UInt8 = 23

    /// Types a bin may hold (everything the real server stores).
    @inlinable public static func isStorable(_ t: UInt8) -> Bool {
        switch t {
        case integer, float, string, blob, vector, bool, hll, map, list, geojson: return true
        case javaBlob...erlangBlob: return true
        default: return false
        }
    }
    /// Blob-like types that APPEND/PREPEND accept alongside their own kind.
    @inlinable public static func isBlobFamily(_ t: UInt8) -> Bool {
        t == blob || (javaBlob...erlangBlob).contains(t)
    }
}

public enum ResultCode {
    public static let ok: UInt8 = 0
    public static let unknown: UInt8 = 1
    public static let notFound: UInt8 = 2
    public static let generation: UInt8 = 3
    public static let parameter: UInt8 = 4
    public static let recordExists: UInt8 = 5
    public static let binExists: UInt8 = 6
    public static let outOfSpace: UInt8 = 8
    public static let timeout: UInt8 = 9
    public static let unavailable: UInt8 = 11
    public static let incompatibleType: UInt8 = 12
    public static let recordTooBig: UInt8 = 13
    public static let keyBusy: UInt8 = 14
    public static let queryAborted: UInt8 = 15
    public static let unsupportedFeature: UInt8 = 16
    public static let binNotFound: UInt8 = 17
    public static let deviceOverload: UInt8 = 18
    public static let keyMismatch: UInt8 = 19
    public static let namespace: UInt8 = 20
    public static let binName: UInt8 = 21
    public static let forbidden: UInt8 = 22
    public static let elementNotFound: UInt8 = 23
    public static let elementExists: UInt8 = 24
    public static let enterpriseOnly: UInt8 = 25
    public static let opNotApplicable: UInt8 = 26
    public static let filteredOut: UInt8 = 27
    public static let secNotSupported: UInt8 = 51
    public static let secNotEnabled: UInt8 = 52
    public static let udfExecution: UInt8 = 100
    public static let batchMaxRequests: UInt8 = 151
}

/// Header flag bits (README.md section 2).
public enum Info1 {
    public static let read: UInt8 = 0x01
    public static let getAll: UInt8 = 0x02
    public static let shortQuery: UInt8 = 0x04
    public static let batch: UInt8 = 0x08
    public static let noBins: UInt8 = 0x20
    public static let compressResponse: UInt8 = 0x80
}
public enum Info2 {
    public static let write: UInt8 = 0x01
    public static let delete: UInt8 = 0x02
    public static let generation: UInt8 = 0x04
    public static let generationGT: UInt8 = 0x08
    public static let durableDelete: UInt8 = 0x10
    public static let createOnly: UInt8 = 0x20
    public static let respondAllOps: UInt8 = 0x80
}
public enum Info3 {
    public static let last: UInt8 = 0x01
    public static let commitMaster: UInt8 = 0x02
    public static let partitionDone: UInt8 = 0x04
    public static let updateOnly: UInt8 = 0x08
    public static let createOrReplace: UInt8 = 0x10
    public static let replaceOnly: UInt8 = 0x20
}
