import XCTest
final class ExpPlaceholderTests: XCTestCase { func testNothingYet() {} }
