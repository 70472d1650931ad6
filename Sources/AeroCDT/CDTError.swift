/// A CDT operation failure: the result code the client gets (4, 12, 23, 24, 26).
public struct CDTError: Error, Equatable, Sendable {
    public var code: UInt8
    public init(_ code: UInt8) { self.code = code }

    public static let parameter = CDTError(4)
    public static let incompatibleType = CDTError(12)
    public static let elementNotFound = CDTError(23)
    public static let elementExists = CDTError(24)
    public static let opNotApplicable = CDTError(26)
}
