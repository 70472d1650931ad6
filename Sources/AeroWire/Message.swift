/// A byte range inside a message body.
public struct Span: Equatable, Sendable {
    public var start: Int32
    public var count: Int32
    @inlinable public init(start: Int, count: Int) { self.start = Int32(start); self.count = Int32(count) }
    @inlinable public var range: Range<Int> { Int(start)..<Int(start + count) }
}

/// One op of an AS_MSG, as positions inside the body it was parsed from.
public struct OpView: Sendable {
    public var op: UInt8
    public var particle: UInt8
    public var name: Span
    public var value: Span
    @inlinable public init(op: UInt8, particle: UInt8, name: Span, value: Span) {
        self.op = op; self.particle = particle; self.name = name; self.value = value
    }
}

/// A parsed AS_MSG (the body of a type-3 frame). Holds positions, never copies;
/// every length was checked against the body when it was parsed.
public struct Message: Sendable {
    public var info1: UInt8 = 0
    public var info2: UInt8 = 0
    public var info3: UInt8 = 0
    public var info4: UInt8 = 0
    public var generation: UInt32 = 0
    public var recordTTL: UInt32 = 0
    public var transactionTTL: UInt32 = 0
    public var nFields: Int = 0
    public var nOps: Int = 0

    public var namespace: Span?
    public var set: Span?
    public var key: Span?
    public var digest: Span?
    public var trid: Span?
    public var socketTimeout: Span?
    public var recordsPerSecond: Span?
    public var pidArray: Span?
    public var digestArray: Span?
    public var maxRecords: Span?
    public var bvalArray: Span?
    public var indexName: Span?
    public var indexRange: Span?
    public var indexContext: Span?
    public var indexExpression: Span?
    public var indexType: Span?
    public var udfFilename: Span?
    public var udfFunction: Span?
    public var udfArglist: Span?
    public var udfOp: Span?
    public var queryBinList: Span?
    public var batch: Span?
    public var filterExp: Span?
    /// Any of the multi-record-transaction fields (3, 5, 6) was present.
    public var hasMRTField = false

    /// Where the ops start and end in the body.
    public var opsStart: Int = 0
    public var opsEnd: Int = 0

    public init() {}

    /// Parses the header, fields and op framing of `body`. Returns nil when any length
    /// runs past the end (the caller answers PARAMETER_ERROR).
    public static func parse(_ body: UnsafeRawBufferPointer) -> Message? {
        guard body.count >= ProtoLimits.msgHeaderSize else { return nil }
        var m = Message()
        let hsz = Int(body[0])
        guard hsz >= ProtoLimits.msgHeaderSize, hsz <= body.count else { return nil }
        m.info1 = body[1]; m.info2 = body[2]; m.info3 = body[3]; m.info4 = body[4]
        m.generation = body.u32BE(6)
        m.recordTTL = body.u32BE(10)
        m.transactionTTL = body.u32BE(14)
        m.nFields = Int(body.u16BE(18))
        m.nOps = Int(body.u16BE(20))
        guard let end = m.parseFieldsAndOps(body, at: hsz, end: body.count) else { return nil }
        _ = end
        return m
    }

    /// Walks `nFields` fields then `nOps` ops starting at `at`, within `end`. Returns the
    /// offset after the last op, or nil when any size runs past `end`.
    public mutating func parseFieldsAndOps(_ body: UnsafeRawBufferPointer, at start: Int, end: Int) -> Int? {
        var at = start
        for i in 0..<nFields {
            guard at + 5 <= end else { return nil }
            var size = Int(body.u32BE(at))
            let type = body[at + 4]
            // aerospike-py (Rust client 2.x) counts a batch filter's bytes into the BATCH field's
            // size; the real server accepts that, so a final BATCH field is cut to what is there.
            if type == FieldType.batch && i == nFields - 1 && nOps == 0 && size > end - at - 4 {
                size = end - at - 4
            }
            guard size >= 1, size <= end - at - 4 else { return nil }
            setField(type, Span(start: at + 5, count: size - 1))
            at += 4 + size
        }
        opsStart = at
        for _ in 0..<nOps {
            guard at + 8 <= end else { return nil }
            let size = Int(body.u32BE(at))
            let nameLen = Int(body[at + 7])
            guard size >= 4 + nameLen, size <= end - at - 4 else { return nil }
            at += 4 + size
        }
        opsEnd = at
        return at
    }

    mutating func setField(_ type: UInt8, _ s: Span) {
        switch type {
        case FieldType.namespace: namespace = s
        case FieldType.set: set = s
        case FieldType.key: key = s
        case FieldType.digest: digest = s
        case FieldType.recordVersion, FieldType.mrtID, FieldType.mrtDeadline: hasMRTField = true
        case FieldType.trid: trid = s
        case FieldType.socketTimeout: socketTimeout = s
        case FieldType.recordsPerSecond: recordsPerSecond = s
        case FieldType.pidArray: pidArray = s
        case FieldType.digestArray: digestArray = s
        case FieldType.maxRecords: maxRecords = s
        case FieldType.bvalArray: bvalArray = s
        case FieldType.indexName: indexName = s
        case FieldType.indexRange: indexRange = s
        case FieldType.indexContext: indexContext = s
        case FieldType.indexExpression: indexExpression = s
        case FieldType.indexType: indexType = s
        case FieldType.udfFilename: udfFilename = s
        case FieldType.udfFunction: udfFunction = s
        case FieldType.udfArglist: udfArglist = s
        case FieldType.udfOp: udfOp = s
        case FieldType.queryBinList: queryBinList = s
        case FieldType.batch: batch = s
        case FieldType.filterExp: filterExp = s
        default: break  // unknown fields are skipped, as the real server does
        }
    }

    /// Visits ops in order. Framing was validated by `parse`.
    @inlinable public func forEachOp(_ body: UnsafeRawBufferPointer, _ visit: (OpView) throws -> Void) rethrows {
        var at = opsStart
        while at < opsEnd {
            let size = Int(body.u32BE(at))
            let nameLen = Int(body[at + 7])
            let op = OpView(op: body[at + 4], particle: body[at + 5],
                            name: Span(start: at + 8, count: nameLen),
                            value: Span(start: at + 8 + nameLen, count: size - 4 - nameLen))
            try visit(op)
            at += 4 + size
        }
    }
}

extension UnsafeRawBufferPointer {
    @inlinable public subscript(span s: Span) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[s.range])
    }
}
