import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A long-running gatehouse process whose output is gathered as it comes.
final class Running: @unchecked Sendable {
    let process = Process()
    private let pipe = Pipe()
    private let lock = NSLock()
    private var output = ""
    private let finished = DispatchSemaphore(value: 0)

    /// Runs the binary with `arguments`; with `prefix` (`setpriv …`), through that command.
    init(_ arguments: [String], through prefix: [String] = [], binary: URL = Binary.url) throws {
        if prefix.isEmpty {
            process.executableURL = binary
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: prefix[0])
            process.arguments = Array(prefix.dropFirst()) + [binary.path] + arguments
        }
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Read on a thread of its own until the process closes its output.
        let handle = pipe.fileHandleForReading
        Thread { [self] in
            while let data = readChunk(handle.fileDescriptor) {
                lock.withLock { output += String(decoding: data, as: UTF8.self) }
            }
            finished.signal()
        }.start()
    }

    var text: String { lock.withLock { output } }

    /// Waits (on a thread of its own) for the process to end, then gathers what it wrote last; its exit status.
    func exit() async throws -> Int32 {
        try await Binary.detached {
            self.process.waitUntilExit()
            self.finished.wait()
            return self.process.terminationStatus
        }
    }

    /// Waits until the output has a line matching `pattern`; returns its first capture group.
    func wait(for pattern: String, timeout: Duration = .seconds(20)) async throws -> String {
        let regex = try NSRegularExpression(pattern: pattern)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let current = text
            if let match = regex.firstMatch(in: current, range: NSRange(current.startIndex..., in: current)) {
                let range = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
                return String(current[Range(range, in: current)!])
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("no line matching \(pattern) in:\n\(text)")
        throw CLIFailure()
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

struct CLIFailure: Error {}

/// An HTTP GET or POST over loopback.
func http(_ url: String, method: String = "GET", headers: [String: String] = [:]) async throws -> (Int, String) {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = method
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
}

@Suite(.serialized) struct WalkthroughTests {
    /// The walkthrough of the Picturesocial post, with the command line only, against a running `gatehouse serve`.
    @Test func walkthroughWithTheCommandLine() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let state = scratch.state
        let backend = try Running(["sample-backend", "--port", "0"])
        defer { backend.stop() }
        let backendPort = try await backend.wait(for: #"pictures backend on http://127\.0\.0\.1:(\d+)"#)
        let server = try Running(["serve", "--port", "0", "--state", state])
        defer { server.stop() }
        let port = try await server.wait(for: #"Gatehouse serving on http://127\.0\.0\.1:(\d+)"#)

        func gatehouse(_ arguments: String...) async throws -> String {
            let result = try await Binary.run(arguments + ["--state", state])
            #expect(result.status == 0, "gatehouse \(arguments.joined(separator: " ")): \(result.stderr)")
            return result.stdout
        }
        func json(_ text: String) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }

        // R1: the backend is private; the way in is a VPC link to its load balancer.
        _ = try await gatehouse("load-balancer", "create", "pictures-nlb", "--target", "127.0.0.1:\(backendPort)")
        let link = json(
            try await gatehouse("vpc-link", "create", "pictures-link", "--load-balancer", "pictures-nlb", "--json"))
        let linkId = try #require(link["id"] as? String)
        #expect(link["status"] as? String == "PENDING")
        var status = ""
        for _ in 0..<100 where status != "AVAILABLE" {
            try await Task.sleep(for: .milliseconds(100))
            status = try await gatehouse("vpc-link", "list")
            status = status.contains("AVAILABLE") ? "AVAILABLE" : status
        }
        #expect(status == "AVAILABLE")

        let (swaggerStatus, swagger) = try await http("http://127.0.0.1:\(backendPort)/swagger/v1/swagger.json")
        #expect(swaggerStatus == 200)
        try swagger.write(toFile: scratch.path("swagger.json"), atomically: true, encoding: .utf8)
        let imported = json(
            try await gatehouse("import", scratch.path("swagger.json"), "--endpoint-type", "regional", "--json"))
        let api = try #require(imported["id"] as? String)
        let dns = try #require(
            (try JSONSerialization.jsonObject(with: Data(try await gatehouse("load-balancer", "list", "--json").utf8))
                as? [[String: Any]])?.first?["dnsName"] as? String)
        for (path, method) in [
            ("/api/pictures/all", "GET"), ("/api/pictures", "POST"), ("/api/pictures/{id}", "GET"),
            ("/api/pictures/{id}", "DELETE"),
        ] {
            _ = try await gatehouse(
                "integration", "pictures", path, method, "--vpc-link", linkId, "--uri", "http://\(dns)\(path)")
        }
        let test = try await gatehouse("test-invoke", "pictures", "/api/pictures/all", "GET")
        #expect(test.hasPrefix("Status: 200"))
        #expect(test.contains("\"name\" : \"sunrise.jpg\""))
        #expect(test.contains("Method completed with status: 200"))

        _ = try await gatehouse("deploy", "pictures", "--stage", "test")
        let url = "http://127.0.0.1:\(port)/restapis/\(api)/test/_user_request_/api/pictures/all"
        try await Task.sleep(for: .milliseconds(600))  // serve notices the other process's change
        #expect(try await http(url).0 == 200)
        // The access log line, whole: request id, method, stage and path, status, latency, cache, key, address.
        _ = try await server.wait(
            for:
                #"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12} GET /test/api/pictures/all 200 \d+\.\dms cache=- key=- ip=127\.0\.0\.1\n"#
        )

        // R4: every call needs an API key.
        _ = try await gatehouse("method", "pictures", "/api/pictures/all", "GET", "--api-key-required", "true")
        _ = try await gatehouse("deploy", "pictures", "--stage", "test")
        try await Task.sleep(for: .milliseconds(600))
        let forbidden = try await http(url)
        #expect(forbidden.0 == 403)
        #expect(forbidden.1 == "{\"message\":\"Forbidden\"}")
        let key = json(try await gatehouse("api-key", "create", "test", "--json"))
        let keyValue = try #require(key["value"] as? String)
        let plan = json(try await gatehouse("usage-plan", "create", "basic", "--stage", "pictures:test", "--json"))
        _ = try await gatehouse(
            "usage-plan", "add-key", try #require(plan["id"] as? String), try #require(key["id"] as? String))
        try await Task.sleep(for: .milliseconds(600))
        #expect(try await http(url, headers: ["x-api-key": keyValue]).0 == 200)

        // R2 and R3: cache on, a burst of 2 refilled once every 20 seconds.
        _ = try await gatehouse("stage", "pictures", "test", "--cache", "on", "--rate", "0.05", "--burst", "2")
        try await Task.sleep(for: .milliseconds(600))
        let before = try await http("http://127.0.0.1:\(backendPort)/stats").1
        var statuses: [Int] = []
        for _ in 0..<6 { statuses.append(try await http(url, headers: ["x-api-key": keyValue]).0) }
        #expect(statuses.filter { $0 == 200 }.count == 2, "\(statuses)")
        #expect(statuses.filter { $0 == 429 }.count == 4)
        let after = try await http("http://127.0.0.1:\(backendPort)/stats").1
        #expect(
            json(after)["requests"] as? Int == (json(before)["requests"] as? Int ?? -1) + 1,
            "cache hits reached the backend")

        server.process.interrupt()
        #expect(try await server.exit() == 0)
        #expect(server.text.contains("Stopped."))
    }
}
