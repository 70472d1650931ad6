import XCTest
import AeroConfig

final class ConfigTests: XCTestCase {
    let sample = """
    # a comment
    service {
        cluster-name demo   # trailing comment
        proto-fd-max 2000
        work-directory /tmp/w
    }
    logging { console { context any warning } }
    network {
        service {
            address any
            port 3100
            access-address 10.1.2.3
        }
        heartbeat { mode mesh }
    }
    namespace test {
        replication-factor 1
        default-ttl 30d
        nsup-period 2m
        max-record-size 128K
        storage-engine memory {
            data-size 2G
        }
    }
    namespace bar {
        storage-engine memory { data-size 512m }
    }
    """

    func testReadsARealStyleConfig() throws {
        let c = try Configuration.parse(sample, file: "a.conf")
        XCTAssertEqual(c.clusterName, "demo")
        XCTAssertEqual(c.protoFdMax, 2000)
        XCTAssertEqual(c.workDirectory, "/tmp/w")
        XCTAssertEqual(c.logLevel, "warning")
        XCTAssertEqual(c.address, "0.0.0.0")
        XCTAssertEqual(c.port, 3100)
        XCTAssertEqual(c.accessAddress, "10.1.2.3")
        XCTAssertEqual(c.namespaces.map(\.name), ["test", "bar"])
        let ns = c.namespaces[0]
        XCTAssertEqual(ns.replicationFactor, 1)
        XCTAssertEqual(ns.defaultTTL, 30 * 86400)
        XCTAssertEqual(ns.nsupPeriod, 120)
        XCTAssertEqual(ns.maxRecordSize, 128 * 1024)
        XCTAssertEqual(ns.dataSize, 2 << 30)
        XCTAssertEqual(c.namespaces[1].dataSize, 512 << 20)
        // heartbeat is accepted with a warning naming its line
        XCTAssertTrue(c.warnings.contains { $0.hasPrefix("a.conf:14:") && $0.contains("heartbeat") }, "\(c.warnings)")
    }

    func testUnknownKeysWarnWithTheirLine() throws {
        let c = try Configuration.parse("namespace t {\n  bogus-key 1\n  nsup-period 1\n}\n", file: "x.conf")
        XCTAssertEqual(c.warnings, ["x.conf:2: unknown config parameter 'bogus-key' in 'namespace t' ignored"])
    }

    func testInvalidValuesStopWithFileAndLine() {
        func error(_ text: String) -> ConfigError? {
            do { _ = try Configuration.parse(text, file: "bad.conf"); return nil } catch { return error }
        }
        let e1 = error("service {\n  proto-fd-max lots\n}\nnamespace t { }\n")
        XCTAssertEqual(e1?.line, 2)
        XCTAssertTrue(e1?.description.hasPrefix("bad.conf:2: 'proto-fd-max' must be an integer") ?? false, "\(String(describing: e1))")
        XCTAssertEqual(error("namespace t {\n storage-engine memory {\n  data-size 12X\n }\n}\n")?.line, 3)
        XCTAssertEqual(error("namespace t {\n  replication-factor 1\n")?.line, 1)          // never closed
        XCTAssertEqual(error("}\n")?.line, 1)                                              // stray brace
        XCTAssertNotNil(error("service { cluster-name x }\n"))                             // no namespace
        XCTAssertEqual(error("namespace t {\n default-ttl 1d\n}\n")?.line, 1)              // ttl without nsup
        XCTAssertEqual(error("namespace t { }\nnamespace t { }\n")?.line, 2)                // duplicate
        XCTAssertEqual(error("namespace t {\n storage-engine device {\n }\n}\n")?.line, 2) // not built yet
    }

    func testOneLineBlocksSplitIntoStatements() throws {
        let c = try Configuration.parse("network { service { address 127.0.0.1 port 3456 } }\nnamespace t { nsup-period 1 }\n", file: "f")
        XCTAssertEqual(c.address, "127.0.0.1")
        XCTAssertEqual(c.port, 3456)
        XCTAssertEqual(c.namespaces[0].nsupPeriod, 1)
    }

    /// The shape of the config the Aerospike packages install (tabs, blank lines, comments,
    /// heartbeat/fabric sections, file logging, mod-lua): it must load, with warnings only.
    func testStockPackagedConfigLoads() throws {
        let stock = """
        # Aerospike database configuration file for use with systemd.

        service {
        \tproto-fd-max 15000
        \tcluster-name stock
        }

        logging {
        \tfile /var/log/aerospike/aerospike.log {
        \t\tcontext any info
        \t}
        \tconsole {
        \t\tcontext any info
        \t}
        }

        network {
        \tservice {
        \t\taddress any
        \t\tport 3000
        \t}

        \theartbeat {
        \t\tmode multicast
        \t\tmulticast-group 239.1.99.222
        \t\tport 9918

        \t\t# To use unicast-mesh heartbeats, remove the 3 lines above, and see
        \t\t# aerospike_mesh.conf for alternative.

        \t\tinterval 150
        \t\ttimeout 10
        \t}

        \tfabric {
        \t\tport 3001
        \t}

        \tinfo {
        \t\tport 3003
        \t}
        }

        mod-lua {
        \tuser-path /opt/aerospike/usr/udf/lua
        }

        namespace test {
        \treplication-factor 2
        \tstorage-engine memory {
        \t\tdata-size 4G
        \t}
        }

        namespace bar {
        \treplication-factor 2
        \tstorage-engine memory {
        \t\tdata-size 4G
        \t}
        }
        """
        let c = try Configuration.parse(stock, file: "aerospike.conf")
        XCTAssertEqual(c.namespaces.map(\.name), ["test", "bar"])
        XCTAssertEqual(c.namespaces[0].replicationFactor, 2)
        XCTAssertEqual(c.namespaces[1].dataSize, 4 << 30)
        XCTAssertEqual(c.port, 3000)
        XCTAssertEqual(c.address, "0.0.0.0")
        XCTAssertEqual(c.protoFdMax, 15000)
        XCTAssertFalse(c.warnings.isEmpty)
        XCTAssertTrue(c.warnings.allSatisfy { $0.hasPrefix("aerospike.conf:") })
    }

    /// The device engine's options, under their real names, and a set context.
    func testDeviceOptions() throws {
        let text = """
        namespace disk {
            set keep { disable-eviction true }
            set other { disable-eviction false }
            storage-engine device {
                file /var/lib/aerolite/disk.dat
                filesize 2G
                write-block-size 1M
                flush-size 128K
                flush-max-ms 250
                commit-to-device true
                defrag-lwm-pct 60
                defrag-sleep 0
                post-write-cache 64M
                max-write-cache 32M
                read-page-cache true
                direct-files false
                compression lz4
                compression-level 3
                stop-writes-used-pct 80
                stop-writes-avail-pct 10
                evict-used-pct 60
            }
        }
        """
        let c = try Configuration.parse(text, file: "d.conf")
        let ns = c.namespaces[0]
        XCTAssertEqual(ns.storageEngine, "device")
        XCTAssertEqual(ns.file, "/var/lib/aerolite/disk.dat")
        XCTAssertEqual(ns.fileSize, 2 << 30)
        XCTAssertEqual(ns.writeBlockSize, 1 << 20)
        XCTAssertEqual(ns.flushMaxMs, 250)
        XCTAssertTrue(ns.commitToDevice)
        XCTAssertEqual(ns.defragLwmPct, 60)
        XCTAssertEqual(ns.defragSleepMicros, 0)
        XCTAssertEqual(ns.postWriteCache, 64 << 20)
        XCTAssertEqual(ns.maxWriteCache, 32 << 20)
        XCTAssertTrue(ns.readPageCache)
        XCTAssertFalse(ns.directFiles)
        XCTAssertTrue(ns.compressLZ4)
        XCTAssertEqual(ns.compressionLevel, 3)
        XCTAssertEqual(ns.stopWritesUsedPct, 80)
        XCTAssertEqual(ns.stopWritesAvailPct, 10)
        XCTAssertEqual(ns.evictUsedPct, 60)
        XCTAssertEqual(ns.evictionDisabledSets, ["keep"])
        XCTAssertEqual(c.warnings, [])
        // Defaults: 8M blocks and a 256M post-write cache, as the real server.
        let d = try Configuration.parse("namespace d { storage-engine device { file /x } }", file: "d.conf").namespaces[0]
        XCTAssertEqual(d.writeBlockSize, 8 << 20)
        XCTAssertEqual(d.postWriteCache, 256 << 20)
        XCTAssertFalse(d.compressLZ4)
    }

    /// The config files shipped in config/ load without errors or warnings.
    func testShippedConfigsLoad() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config")
        for name in ["aerolite.conf", "aerolite-device.conf"] {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            let c = try Configuration.parse(text, file: name)
            XCTAssertEqual(c.warnings, [], name)
            XCTAssertFalse(c.namespaces.isEmpty, name)
        }
    }

    /// Several `file`/`device` lines make one namespace's storage, in order; a repeat is an error.
    func testSeveralStorageFiles() throws {
        let two = try Configuration.parse("namespace d { storage-engine device { file /a\n file /b\n filesize 1G } }", file: "d.conf")
        XCTAssertEqual(two.namespaces[0].files, ["/a", "/b"])
        XCTAssertThrowsError(try Configuration.parse("namespace d { storage-engine device { file /a\n file /a } }", file: "d.conf"))
    }
}
