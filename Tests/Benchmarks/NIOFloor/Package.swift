// swift-tools-version:6.0
// The floor of the gateway benchmark: what SwiftNIO with its HTTP/1 codec does on this machine with no gateway
// logic at all, measured beside nginx by Tests/Benchmarks/nio-floor. Not part of Gatehouse's build.
import PackageDescription

let package = Package(
    name: "nio-floor",
    dependencies: [.package(url: "https://github.com/apple/swift-nio", from: "2.101.2")],
    targets: [
        .executableTarget(
            name: "nio-floor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        )
    ]
)
