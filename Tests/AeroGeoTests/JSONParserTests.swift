import XCTest
@testable import AeroGeo

final class JSONParserTests: XCTestCase {
    private func parse(_ text: String) -> JSONDocument? {
        Array(text.utf8).withUnsafeBytes { JSONParser.parse($0) }
    }
    private func parse(bytes: [UInt8]) -> JSONDocument? {
        bytes.withUnsafeBytes { JSONParser.parse($0) }
    }
    private func number(_ text: String) -> Double? {
        guard let doc = parse("[\(text)]"), let items = doc.array(doc.root), items.count == 1 else { return nil }
        return doc.number(items[0])
    }
    private func string(_ text: String) -> [UInt8]? {
        guard let doc = parse(text), case .string(let s) = doc[doc.root] else { return nil }
        return s
    }

    func testValuesOfEveryKind() throws {
        let doc = try XCTUnwrap(parse(#" { "a" : [1, -2.5, true, false, null, "x", {}, []] , "b":{"c":{"d":[[]]}} } "#))
        let a = try XCTUnwrap(doc.member(doc.root, "a"))
        let items = try XCTUnwrap(doc.array(a))
        XCTAssertEqual(items.count, 8)
        XCTAssertEqual(doc.number(items[0]), 1)
        XCTAssertEqual(doc.number(items[1]), -2.5)
        guard case .bool(true) = doc[items[2]], case .bool(false) = doc[items[3]], case .null = doc[items[4]] else {
            return XCTFail("literals")
        }
        XCTAssertTrue(doc.isString(items[5], "x"))
        guard case .object(let o) = doc[items[6]], o.isEmpty, case .array(let e) = doc[items[7]], e.isEmpty else {
            return XCTFail("empty containers")
        }
        let b = try XCTUnwrap(doc.member(doc.root, "b"))
        let c = try XCTUnwrap(doc.member(b, "c"))
        XCTAssertNotNil(doc.member(c, "d"))
        XCTAssertNil(doc.member(c, "e"))
    }

    func testNumbers() {
        XCTAssertEqual(number("0"), 0)
        XCTAssertEqual(number("-0"), 0)
        XCTAssertEqual(number("123"), 123)
        XCTAssertEqual(number("1.5e1"), 15)
        XCTAssertEqual(number("-3.2E-1"), -0.32)
        XCTAssertEqual(number("2e+2"), 200)
        XCTAssertEqual(number("0.000001"), 0.000001)
        XCTAssertEqual(number("1e-400"), 0)  // underflow is not an error (jansson)
        XCTAssertEqual(number("9223372036854775807"), 9223372036854775807.0)
        XCTAssertEqual(number("-9223372036854775808"), -9223372036854775808.0)
        for bad in ["NaN", "nan", "Infinity", "-Infinity", "inf", "1e400", "-1e400", "9223372036854775808",
                    "+1", ".5", "1.", "01", "-01", "0x10", "1e", "1e+", "-", "--1", "1.2.3", "1e5e5", "١"] {
            XCTAssertNil(number(bad), bad)
        }
    }

    func testStringsAndEscapes() {
        XCTAssertEqual(string(#""a\"b\\c\/d\b\f\n\r\t""#), Array("a\"b\\c/d\u{8}\u{c}\n\r\t".utf8))
        XCTAssertEqual(string(#""\u0041\u00e9\u20AC""#), Array("Aé€".utf8))
        XCTAssertEqual(string(#""\ud83d\ude00""#), Array("😀".utf8))
        XCTAssertEqual(string("\"é😀\""), Array("é😀".utf8))
        XCTAssertEqual(string(#""""#), [])
        for bad in [#""\x""#, #""\u12""#, #""\u12g4""#, #""\ud83d""#, #""\ud83dx""#, #""\ud83d\u0041""#,
                    #""\ude00""#, #""\u0000""#, "\"a\tb\"", "\"a\nb\"", #""abc"#, #""abc\"#, #""\"#] {
            XCTAssertNil(string(bad), bad)
        }
    }

    func testInvalidUTF8IsRejected() {
        let q = UInt8(ascii: "\"")
        for seq: [UInt8] in [[0x80], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80],
                             [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xff], [0xe2, 0x82], [0xc3]] {
            XCTAssertNil(parse(bytes: [q] + seq + [q]), "\(seq)")
        }
        XCTAssertNotNil(parse(bytes: [q, 0xc3, 0xa9, q]))
        XCTAssertNotNil(parse(bytes: [q, 0xf4, 0x8f, 0xbf, 0xbf, q]))
    }

    func testDuplicateKeysTakeTheLastValue() throws {
        let doc = try XCTUnwrap(parse(#"{"k":1,"k":2}"#))
        XCTAssertEqual(doc.member(doc.root, "k").flatMap { doc.number($0) }, 2)
    }

    func testSyntaxErrors() {
        for bad in ["", " ", "{", "}", "[", "[1,]", "[,1]", "[1 2]", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{a:1}",
                    "{\"a\":1,}", "{,}", "{\"a\":1 \"b\":2}", "[1]]", "[1] [2]", "{} x", "tru", "true1", "nul",
                    "[true false]", "'a'", "[1}", "{\"a\":1]", "\u{0}", "[1]\u{0}"] {
            XCTAssertNil(parse(bad), bad)
        }
        XCTAssertNotNil(parse(" \t\r\n[1]\n "))
    }

    func testNestingIsBounded() {
        let ok = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        XCTAssertNotNil(parse(ok))
        let tooDeep = "[" + ok + "]"
        XCTAssertNil(parse(tooDeep))
        // 100000 levels, balanced or not, arrays or objects: rejected without exhausting the stack.
        let n = 100_000
        XCTAssertNil(parse(String(repeating: "[", count: n) + String(repeating: "]", count: n)))
        XCTAssertNil(parse(String(repeating: "[", count: n)))
        XCTAssertNil(parse(String(repeating: "{\"a\":", count: n) + "1" + String(repeating: "}", count: n)))
    }

    func testTruncatedInputNeverParses() {
        let text = #"{"type":"Polygon","coordinates":[[[-1.5e0,2],[3,4.25],[5,-6],[-1.5,2]]],"p":"\u00e9\ud83d\ude00"}"#
        let bytes = Array(text.utf8)
        XCTAssertNotNil(parse(bytes: bytes))
        for n in 0..<bytes.count {
            XCTAssertNil(parse(bytes: Array(bytes[0..<n])), "prefix \(n)")
        }
    }
}
