// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "d365mm",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "d365mm", targets: ["d365mm"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // C libraries of the system, each wrapped by exactly one Swift module.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CMalloc"),

        .target(name: "StateStore", dependencies: ["CSQLite", "Hashing"]),
        .target(name: "Archive", dependencies: ["CArchive"]),
        .target(name: "JSON"),
        .target(name: "Timestamps"),
        .target(name: "CrashPoints"),
        .target(name: "Hashing", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Redaction"),
        .target(name: "ProcessExit"),
        .target(name: "AsyncLimiting"),
        .target(name: "Failures"),
        .target(name: "Vocabulary"),
        .target(name: "Stopping", dependencies: ["ProcessExit"]),
        .target(
            name: "Credentials",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(name: "ConnectorConfiguration", dependencies: ["Redaction", "Credentials", "Vocabulary"]),
        .target(name: "Spool", dependencies: ["JSON", "Hashing", "CrashPoints", "Timestamps", "Redaction", "Archive"]),
        .target(
            name: "HTTP",
            dependencies: [
                "Redaction", "Stopping", "AsyncLimiting", "Failures",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "D365",
            dependencies: [
                "HTTP", "AsyncLimiting", "Failures", "JSON", "Redaction", "Credentials", "Vocabulary",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "MachineMetrics",
            dependencies: ["HTTP", "Failures", "JSON", "Redaction", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "Mapping", dependencies: ["JSON", "Hashing", "Timestamps", "Vocabulary"]),
        .target(name: "Installation", dependencies: ["ConnectorConfiguration"]),
        .target(
            name: "Diagnostics",
            dependencies: [
                "ConnectorConfiguration", "Credentials", "ProcessExit", "Vocabulary", "Failures", "D365", "MachineMetrics", "HTTP", "JSON",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "Monitoring", dependencies: ["Spool", "StateStore", .product(name: "Prometheus", package: "swift-prometheus")]),
        .target(name: "Operations", dependencies: ["Spool", "StateStore", "Archive", "Hashing", "JSON", "Redaction", "CrashPoints"]),
        .target(
            name: "Sync",
            dependencies: [
                "ConnectorConfiguration", "StateStore", "Spool", "Failures", "D365", "MachineMetrics", "Mapping", "JSON", "Hashing", "CrashPoints",
                "Stopping", "AsyncLimiting",
                "ProcessExit", "Vocabulary", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Simulator",
            dependencies: [
                "Timestamps",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "CLI",
            dependencies: [
                "Simulator", "Sync", "Operations", "Monitoring", "Diagnostics", "Installation", "ConnectorConfiguration", "Credentials", "Redaction",
                "Stopping",
                "ProcessExit", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "d365mm", dependencies: ["CLI"]),

        .target(
            name: "TestSupport",
            dependencies: [
                "HTTP", "Simulator", "JSON", "Archive", .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "StateStoreTests", dependencies: ["StateStore", "Hashing", "TestSupport"]),
        .testTarget(name: "ArchiveTests", dependencies: ["Archive", "TestSupport"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "HTTP", "TestSupport", "Vocabulary"], exclude: ["IndependentClients"]),
        .testTarget(name: "CLITests", dependencies: ["d365mm", "CLI", "Sync", "JSON", "TestSupport"], exclude: ["HelpSnapshots"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "AsyncLimitingTests", dependencies: ["AsyncLimiting"]),
        .testTarget(name: "TimestampsTests", dependencies: ["Timestamps"]),
        .testTarget(name: "ConnectorConfigurationTests", dependencies: ["ConnectorConfiguration", "Redaction", "Credentials", "TestSupport"]),
        .testTarget(
            name: "SpoolTests", dependencies: ["Spool", "JSON", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "MappingTests", dependencies: ["Mapping", "JSON", "Vocabulary"]),
        .testTarget(name: "ToERPTests", dependencies: ["d365mm", "Simulator", "StateStore", "Sync", "Mapping", "JSON", "HTTP", "TestSupport"]),
        .testTarget(
            name: "D365Tests",
            dependencies: [
                "D365", "Vocabulary", "HTTP", "JSON", "Redaction", "Simulator", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "ReliabilityTests",
            dependencies: [
                "d365mm", "Simulator", "StateStore", "Spool", "JSON", "Archive", "Hashing", "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "InstallationTests", dependencies: ["d365mm", "JSON", "TestSupport"]),
        .testTarget(name: "OperatorTests", dependencies: ["d365mm", "Simulator", "Spool", "StateStore", "Archive", "JSON", "TestSupport"]),
        .testTarget(name: "FromERPTests", dependencies: ["d365mm", "Simulator", "StateStore", "Spool", "JSON", "Hashing", "TestSupport"]),
    ]
)

// Our own code builds without a warning, and a new one fails the build: warnings nobody is made to read pile up.
for target in package.targets where target.type != .system {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .enableUpcomingFeature("ExistentialAny"),
            .treatAllWarnings(as: .error),
        ]
}
