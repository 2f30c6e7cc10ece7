// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "gatehouse",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gatehouse", targets: ["gatehouse"])
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Plain values: the API Gateway object model. No I/O.
        .target(name: "GatewayModel"),
        // The state: SQLite through GRDB (one file), or PostgreSQL through postgres-nio (several nodes): schema,
        // migrations, transactions, change notifications, the cluster's nodes.
        .target(
            name: "GatewayStore",
            dependencies: [
                "GatewayModel", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // OpenAPI 2.0 / 3.0 / 3.1 (JSON or YAML) to and from the model.
        .target(
            name: "GatewayImport",
            dependencies: ["GatewayModel", "Yams", .product(name: "OrderedCollections", package: "swift-collections")]
        ),
        // The control plane every front end uses.
        .target(
            name: "GatewayControl",
            dependencies: [
                "GatewayModel", "GatewayStore", "GatewayImport", "GatewayEngine",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // API Gateway's REST control API (aws CLI, SDKs, Terraform) over the control plane, served by the engine.
        .target(
            name: "ControlAPI",
            dependencies: [
                "GatewayControl", "GatewayEngine", "GatewayImport", "GatewayModel",
                .product(name: "Crypto", package: "swift-crypto"),
                "SwiftCSV",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The private "pictures" API of the walkthrough, served on loopback.
        .target(
            name: "SampleBackend",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The data plane: deployed stages served over HTTP, with keys, throttling, caching and integrations.
        .target(
            name: "GatewayEngine",
            dependencies: [
                "GatewayModel", "VTL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        // The terminal layer: ncursesw through one system-library target and the one module that imports it.
        .systemLibrary(name: "CNCurses"),
        .target(name: "TerminalUI"),
        .target(name: "TerminalCurses", dependencies: ["CNCurses", "TerminalUI"]),
        // Mapping templates: Velocity 1.7's template language and API Gateway's $input, $util, $context.
        .target(name: "VTL"),
        // The console: the API Gateway screens, driving the control plane and the in-process engine.
        .target(
            name: "Console",
            dependencies: [
                "TerminalUI", "TerminalCurses", "GatewayControl", "GatewayEngine", "GatewayModel", "GatewayImport",
                "SampleBackend", "VTL", .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The command-line verbs.
        .target(
            name: "GatehouseCLI",
            dependencies: [
                "GatewayControl", "GatewayImport", "GatewayModel", "GatewayEngine", "SampleBackend", "Console",
                "ControlAPI", "VTL",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(name: "gatehouse", dependencies: ["GatehouseCLI"]),
        // What the test targets share: awaited clean-up.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "GatewayImportTests", dependencies: ["GatewayImport", "GatewayModel"]),
        .testTarget(name: "VTLTests", dependencies: ["VTL", "TestSupport"], exclude: ["Corpus"]),
        .testTarget(
            name: "GatewayControlTests",
            dependencies: ["TestSupport", "GatewayControl", "GatewayStore", "GatewayImport", "GatewayModel"]
        ),
        .testTarget(
            name: "GatewayEngineTests",
            dependencies: [
                "TestSupport",
                "GatewayEngine", "GatewayControl", "GatewayModel", "SampleBackend",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ControlAPITests",
            dependencies: [
                "TestSupport",
                "ControlAPI", "GatewayControl", "GatewayEngine", "GatewayModel", "SampleBackend",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ConsoleTests",
            dependencies: [
                "TestSupport", "Console", "TerminalUI", "GatewayControl", "GatewayModel", "SampleBackend", "ControlAPI",
                "GatewayEngine",
            ],
            exclude: ["Snapshots"]
        ),
        .testTarget(
            name: "GatehouseCLITests",
            dependencies: [
                "TestSupport", "GatehouseCLI", "gatehouse", "GatewayControl", "GatewayStore",
            ]
        ),
    ]
)
