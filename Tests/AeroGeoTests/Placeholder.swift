import XCTest
final class GeoPlaceholderTests: XCTestCase { func testNothingYet() {} }
