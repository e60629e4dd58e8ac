// swift-tools-version:6.2
import PackageDescription

/// Settings every TwinHub target shares: Swift 6 language mode (strict concurrency) and no warnings.
let strict: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "TwinHub",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "twinhub", targets: ["twinhub"]),
        .library(name: "TwinHubMQTT", targets: ["TwinHubMQTT"]),
        .library(name: "TwinHubBroker", targets: ["TwinHubBroker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CTwinHubMosquitto",
            pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]
        ),
        .systemLibrary(name: "CMalloc"),
        .target(
            name: "TwinHubMQTT",
            dependencies: [
                "CTwinHubMosquitto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "RuleLanguage",
            swiftSettings: strict
        ),
        .target(
            name: "TwinHubCatalog",
            swiftSettings: strict
        ),
        .target(
            name: "TwinModel",
            dependencies: ["RuleLanguage", "TwinHubCatalog", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "DTDL",
            dependencies: ["TwinModel"],
            swiftSettings: strict
        ),
        .target(
            name: "Simulation",
            dependencies: ["TwinModel"],
            swiftSettings: strict
        ),
        .target(
            name: "Twins",
            dependencies: ["TwinModel"],
            swiftSettings: strict
        ),
        .target(
            name: "Rules",
            dependencies: ["RuleLanguage", "Twins", "TwinModel"],
            swiftSettings: strict
        ),
        .target(
            name: "TwinHubProtocol",
            dependencies: ["RuleLanguage", "TwinModel", "Twins", "Rules"],
            swiftSettings: strict
        ),
        .target(
            name: "SparkplugB",
            dependencies: ["TwinModel", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Generated/README.md"],
            swiftSettings: strict
        ),
        .target(
            name: "TwinPartition",
            dependencies: ["TwinModel"],
            swiftSettings: strict
        ),
        .target(
            name: "TwinStorage",
            dependencies: ["Twins", "Rules", "TwinModel", "TwinPartition"],
            swiftSettings: strict
        ),
        .target(
            name: "TwinStoragePostgres",
            dependencies: [
                "TwinStorage", "TwinPartition", "Twins", "Rules", "TwinModel",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TwinStorageSQLite",
            dependencies: [
                "TwinStorage", "Twins", "Rules", "TwinModel",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TwinServiceCore",
            dependencies: ["TwinStorage", "TwinPartition", "Twins", "Rules", "TwinModel", "TwinHubProtocol", "SparkplugB"],
            swiftSettings: strict
        ),
        .target(
            name: "TwinService",
            dependencies: [
                "TwinServiceCore", "TwinPartition", "SparkplugB", "TwinStorage", "Twins", "TwinModel", "TwinHubProtocol", "TwinHubMQTT", "Rules", "CMalloc",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SimulationRuntime",
            dependencies: [
                "Simulation", "SparkplugB", "TwinModel", "TwinHubProtocol", "TwinHubMQTT",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FleetView",
            dependencies: ["RuleLanguage", "TwinModel", "TwinHubProtocol"],
            swiftSettings: strict
        ),
        .target(
            name: "WebView",
            dependencies: ["RuleLanguage", "FleetView", "TwinModel", "TwinHubProtocol"],
            swiftSettings: strict
        ),
        .target(
            name: "WebRuntime",
            dependencies: [
                "WebView", "FleetView", "ConsoleRuntime", "TwinModel", "TwinHubProtocol", "TwinHubMQTT",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Page"],
            swiftSettings: strict
        ),
        .target(
            name: "Console",
            dependencies: ["RuleLanguage", "FleetView", "TwinModel", "TwinHubProtocol"],
            swiftSettings: strict
        ),
        .target(
            name: "ConsoleRuntime",
            dependencies: [
                "Console", "FleetView", "TwinModel", "TwinHubProtocol", "TwinHubMQTT",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TwinHubBroker",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Benchmarks",
            dependencies: [
                "TwinHubBroker", "TwinHubMQTT", "TwinModel", "TwinHubProtocol", "Simulation", "SimulationRuntime", "Twins", "Rules", "TwinService",
                "TwinServiceCore", "SparkplugB", "TwinStorage", "TwinStorageSQLite", "CMalloc",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "twinhub",
            dependencies: [
                "TwinHubMQTT",
                "TwinHubBroker",
                "TwinModel",
                "DTDL",
                "TwinHubProtocol",
                "FleetView",
                "Simulation",
                "SimulationRuntime",
                "SparkplugB",
                "Twins",
                "Rules",
                "TwinService",
                "TwinPartition",
                "TwinStorageSQLite",
                "TwinStoragePostgres",
                "Console",
                "ConsoleRuntime",
                "WebRuntime",
                "Benchmarks",
                "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .target(
            name: "SchemaSupport",
            dependencies: ["TwinModel"],
            path: "Tests/SchemaSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "RuleLanguageTests",
            dependencies: ["RuleLanguage", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TwinModelTests",
            dependencies: ["RuleLanguage", "TestSupport", "TwinHubCatalog", "TwinModel", "TwinHubProtocol"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DTDLTests",
            dependencies: ["DTDL", "TwinModel"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TwinsTests",
            dependencies: ["Twins", "TwinModel", "TwinHubProtocol"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RulesTests",
            dependencies: ["RuleLanguage", "Rules", "Twins", "TwinModel", "TwinHubProtocol", "Simulation", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TwinServiceCoreTests",
            dependencies: ["TwinServiceCore", "TwinStorage", "Twins", "Rules", "TwinModel", "TwinHubProtocol"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TwinPartitionTests",
            dependencies: ["TwinPartition", "TwinModel"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TwinStorageSQLiteTests",
            dependencies: [
                "TwinStorageSQLite", "TwinStorage", "Twins", "Rules", "TwinModel",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FleetViewTests",
            dependencies: ["FleetView", "TwinModel", "TwinHubProtocol"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "WebViewTests",
            dependencies: ["WebView", "FleetView", "TwinModel", "TwinHubProtocol"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConsoleTests",
            dependencies: ["RuleLanguage", "Console", "FleetView", "TwinModel", "TwinHubProtocol", "Simulation"],
            exclude: ["Snapshots"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SimulationTests",
            dependencies: ["Simulation", "TwinModel", "TwinHubProtocol", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TwinHubProtocolTests",
            dependencies: [
                "RuleLanguage", "TwinHubProtocol", "TwinModel", "Twins", "Rules", "TwinServiceCore", "TwinService", "TwinHubMQTT", "Console", "FleetView", "Simulation",
                "SchemaSupport", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SparkplugTests",
            dependencies: ["SparkplugB", "TwinModel", "TestSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BenchmarksTests",
            dependencies: ["Benchmarks", "TwinModel"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TwinHubMQTTTests",
            dependencies: ["TwinHubMQTT"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TwinHubIntegrationTests",
            dependencies: ["RuleLanguage", "TestSupport",
                "TwinHubMQTT", "TwinHubBroker", "twinhub", "TwinModel", "TwinHubProtocol", "Simulation", "SimulationRuntime", "SparkplugB", "Twins", "Rules", "TwinService",
                "TwinStorage", "TwinStorageSQLite", "TwinStoragePostgres", "TwinPartition", "TwinServiceCore", "Console", "ConsoleRuntime", "WebView", "WebRuntime", "SchemaSupport",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
