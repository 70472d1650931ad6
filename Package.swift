// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "aerolite",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "aerolite", targets: ["aerolite"]),
        .executable(name: "aerolite-bench", targets: ["aerolite-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Thin C shims: epoll, zlib, SHA-1 (OpenSSL), LZ4, file I/O, where Glibc's import is awkward.
        .target(
            name: "CAeroSys",
            linkerSettings: [.linkedLibrary("z"), .linkedLibrary("crypto"), .linkedLibrary("lz4")]
        ),
        // Codecs: proto frames, AS_MSG, info text, msgpack, result codes. Imports nothing of ours.
        .target(name: "AeroWire"),
        // aerospike.conf grammar -> typed configuration.
        .target(name: "AeroConfig"),
        // List and map operations on msgpack values; contexts; Aerospike's value order.
        .target(name: "AeroCDT"),
        // GeoJSON shapes and predicates (points, polygons, AeroCircle).
        .target(name: "AeroGeo"),
        // Filter and operation expressions: compiled once per request, evaluated per record.
        .target(name: "AeroExp", dependencies: ["AeroCDT", "AeroGeo"]),
        // Namespaces, partitions, record index, transactions, batch, scan, expiry, truncate.
        .target(name: "AeroEngine", dependencies: ["AeroWire", "AeroCDT", "AeroExp", "CAeroSys"]),
        // Reactors, connections, request routing, info commands, lifecycle.
        .target(name: "AeroServer", dependencies: ["AeroEngine", "AeroConfig", "AeroWire", "CAeroSys"]),
        .executableTarget(
            name: "aerolite",
            dependencies: ["AeroServer", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "aerolite-bench", dependencies: ["AeroWire", "CAeroSys"]),
        .testTarget(name: "AeroWireTests", dependencies: ["AeroWire"]),
        .testTarget(name: "AeroCDTTests", dependencies: ["AeroCDT"]),
        .testTarget(name: "AeroGeoTests", dependencies: ["AeroGeo"]),
        .testTarget(name: "AeroExpTests", dependencies: ["AeroExp", "AeroCDT"]),
        .testTarget(name: "AeroConfigTests", dependencies: ["AeroConfig"]),
        .testTarget(name: "AeroEngineTests", dependencies: ["AeroEngine", "AeroWire", "CAeroSys"]),
    ]
)
