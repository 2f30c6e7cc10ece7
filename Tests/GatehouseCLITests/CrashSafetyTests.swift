import Foundation
import GatewayControl
import GatewayStore
import Testing

/// A process killed at any moment leaves the last committed state intact; two processes share a file.
@Suite(.serialized) struct CrashSafetyTests {
    static let generator = Binary.fixtures.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Benchmarks/generate-openapi.py")

    /// A generated document: 300 paths, 5,000 `$ref`s.
    static func largeDocument(in scratch: Scratch) throws -> String {
        let path = scratch.path("large.json")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", generator.path, "--paths", "300", "--refs", "5000", "--pad", "2000000"]
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return path
    }

    @Test func killDuringALargeImportLeavesTheStateIntact() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let document = try Self.largeDocument(in: scratch)
        let baseline = try await Binary.run([
            "import", Binary.fixtures.appendingPathComponent("oai-petstore-swagger2.json").path,
            "--state", scratch.state,
        ])
        #expect(baseline.status == 0)
        // The full import, to learn what a complete one holds and how long it takes.
        let started = Date()
        let complete = try await Binary.run(["import", document, "--state", scratch.state, "--json"])
        let duration = Date().timeIntervalSince(started)
        #expect(complete.status == 0, "\(complete.stderr)")
        #expect(complete.stdout.contains("\"resources\" : 501"))

        var killed = 0
        for attempt in 0..<12 {
            let process = Process()
            process.executableURL = Binary.url
            process.arguments = ["import", document, "--state", scratch.state]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let delay = duration * Double(attempt + 1) / 12
            try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
            process.waitUntilExit()

            let store = try GatewayStore(location: scratch.state)
            #expect(try store.integrityCheck().isEmpty)
            let control = GatewayControl(store: store)
            let apis = try control.restApis()
            #expect(apis.filter { $0.name == "Swagger Petstore" }.count == 1)
            for api in apis where api.name == "Generated" {
                let resources = try control.resources(api: api.id)
                #expect(resources.count == 501, "a half-imported API survived attempt \(attempt)")
                #expect(resources.reduce(0) { $0 + $1.resourceMethods.count } == 1020)
            }
        }
        #expect(killed > 0, "no import was still running when killed")
    }

    @Test func twoProcessesImportIntoOneStateFile() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let files = [
            "oai-petstore-swagger2.json", "aws-docs-proxy-resource-oas30.json", "aws-docs-vpclink-swagger2.json",
        ]
        var processes: [Process] = []
        for _ in 0..<2 {
            for file in files {
                let process = Process()
                process.executableURL = Binary.url
                process.arguments = [
                    "import", Binary.fixtures.appendingPathComponent(file).path, "--state", scratch.state,
                ]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                processes.append(process)
            }
        }
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        let apis = try await Binary.run(["apis", "--state", scratch.state, "--json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(apis.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 6)
    }
}
