import XCTest
@testable import AeroEngine
import CAeroSys

/// The log-structured file: replay order, tombstones, block roll-over, torn writes, full files.
final class DeviceStoreTests: XCTestCase {
    var path = ""
    override func setUp() {
        path = NSTemporaryDirectory() + "aerolite-device-\(UInt64.random(in: 0...UInt64.max)).dat"
    }
    override func tearDown() { unlink(path) }

    func digest(_ i: Int) -> Digest { Digest(w0: UInt64(i) &* 0x9E37_79B9, w1: UInt64(i), w2: UInt32(i)) }
    func open(_ size: Int = 1 << 20, block: Int = 64 << 10) throws -> DeviceStore {
        var o = DeviceStore.Options()
        o.blockSize = block
        return try DeviceStore(path: path, fileSize: size, options: o)
    }
    func replayAll(_ s: DeviceStore) -> [(DeviceStore.Kind, Digest, [UInt8])] {
        var out: [(DeviceStore.Kind, Digest, [UInt8])] = []
        try! s.replay { out.append(($0.kind, $0.digest, Array($0.payload))) }
        return out
    }

    func testReplayInOrderAcrossBlocks() throws {
        let s = try open()
        _ = replayAll(s)
        for i in 0..<500 {
            let payload = [UInt8](repeating: UInt8(i & 0xff), count: 300)
            XCTAssertTrue(payload.withUnsafeBytes { s.append(.record, digest(i % 100), $0) }.isStored)
        }
        XCTAssertTrue(s.append(.tombstone, digest(5), UnsafeRawBufferPointer(start: nil, count: 0)).isStored)
        s.flush()
        let entries = replayAll(try open())
        XCTAssertEqual(entries.count, 501)
        XCTAssertEqual(entries.last?.0, .tombstone)
        XCTAssertEqual(entries[499].2, [UInt8](repeating: UInt8(499 & 0xff), count: 300), "block order kept")
    }

    func testTornWriteEndsTheBlock() throws {
        let s = try open()
        _ = replayAll(s)
        for i in 0..<10 { _ = [UInt8](repeating: 7, count: 100).withUnsafeBytes { s.append(.record, digest(i), $0) } }
        s.flush()
        // Damage the 6th entry's payload: entries 0...4 replay, the rest of the block does not.
        let fd = Glibc.open(path, O_RDWR)
        let entryLen = (40 + 100 + 7) & ~7
        var junk: UInt8 = 0x55
        pwrite(fd, &junk, 1, off_t(64 + entryLen * 5 + 50))
        Glibc.close(fd)
        XCTAssertEqual(replayAll(try open()).count, 5)
    }

    /// A reused block keeps its earlier life's entries on the file past what was rewritten;
    /// entries are bound to their block's sequence, so under a new sequence none replays.
    func testEntriesFromAnotherBlockLifeDoNotReplay() throws {
        let s = try open()
        _ = replayAll(s)
        for i in 0..<3 { _ = [UInt8](repeating: 9, count: 200).withUnsafeBytes { s.append(.record, digest(i), $0) } }
        s.flush()
        XCTAssertEqual(replayAll(try open()).count, 3)
        // Give block 0 another sequence number, as a reuse would.
        let fd = Glibc.open(path, O_RDWR)
        var seq: UInt64 = 7
        pwrite(fd, &seq, 8, 8)
        Glibc.close(fd)
        XCTAssertEqual(replayAll(try open()).count, 0)
    }

    /// Entry checksums are CRC-32C: the standard check value, and the SSE4.2 path agrees with
    /// the table on every length and split.
    func testCRC32C() {
        XCTAssertEqual(Array("123456789".utf8).withUnsafeBytes { aero_crc32c(0, $0.baseAddress!, 9) }, 0xE306_9283)
        var rng = SystemRandomNumberGenerator()
        for n in [0, 1, 7, 8, 9, 63, 64, 1000] {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes.withUnsafeBytes { b in
                let whole = aero_crc32c(0, b.baseAddress, n)
                XCTAssertEqual(whole, aero_crc32c_portable(0, b.baseAddress, n), "length \(n)")
                let cut = n / 3
                XCTAssertEqual(aero_crc32c(aero_crc32c(0, b.baseAddress, cut), b.baseAddress.map { $0 + cut }, n - cut), whole)
            }
        }
    }

    /// A file written in another entry format is refused, not read wrongly or overwritten.
    func testAnotherFormatVersionIsRefused() throws {
        let s = try open()
        _ = replayAll(s)
        _ = [UInt8](repeating: 3, count: 50).withUnsafeBytes { s.append(.record, digest(1), $0) }
        XCTAssertTrue(s.flush())
        XCTAssertEqual(replayAll(try open()).count, 1)
        let fd = Glibc.open(path, O_RDWR)
        var version: UInt32 = DeviceStore.formatVersion + 1
        pwrite(fd, &version, 4, 20)
        Glibc.close(fd)
        XCTAssertThrowsError(try open().replay { _ in }) { error in
            XCTAssertTrue("\(error)".contains("another format"), "\(error)")
        }
    }

    func testFullFileRefusesAppends() throws {
        let s = try open(128 << 10, block: 64 << 10)  // two blocks
        _ = replayAll(s)
        var accepted = 0
        while [UInt8](repeating: 1, count: 4000).withUnsafeBytes({ s.append(.record, digest(accepted), $0) }).isStored {
            accepted += 1
            XCTAssertLessThan(accepted, 100)
        }
        XCTAssertGreaterThan(accepted, 20)
        s.flush()
        XCTAssertEqual(replayAll(try open(128 << 10, block: 64 << 10)).count, accepted, "everything accepted is there")
    }
}

import Foundation
