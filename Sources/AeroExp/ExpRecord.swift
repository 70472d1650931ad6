/// What an expression may look at: the record's bins and metadata. The engine provides
/// views over a stored record and over a record being written.
public protocol ExpRecord {
    /// A bin's particle type and stored value, nil when absent.
    func bin(_ name: UnsafeRawBufferPointer) -> (particle: UInt8, value: UnsafeRawBufferPointer)?
    /// Stored key particle type (0 = none) and bytes.
    var keyType: UInt8 { get }
    var key: UnsafeRawBufferPointer { get }
    var setName: UnsafeRawBufferPointer { get }
    /// Digest bytes 16..19 read little-endian (DIGEST_MODULO).
    var digestTail: UInt32 { get }
    /// Seconds since 2010, 0 = never expires.
    var voidTime: UInt32 { get }
    /// Milliseconds since 2010.
    var lastUpdateMs: UInt64 { get }
    var recordSize: Int { get }
    /// Now, in milliseconds since 2010.
    var nowMs: UInt64 { get }
}

/// Why an expression was refused or failed: 4 PARAMETER (malformed, ill-typed) or
/// 16 UNSUPPORTED_FEATURE (a valid expression using something not built yet).
public struct ExpError: Error, Equatable {
    public var code: UInt8
    public var why: String
    public init(_ code: UInt8, _ why: String) { self.code = code; self.why = why }
    static func bad(_ why: String) -> ExpError { ExpError(4, why) }
}
