import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real binary in a real terminal: tmux runs it, send-keys types, capture-pane reads the screen.
final class TmuxSession: @unchecked Sendable {
    let socket = "gatehouse-test-\(UUID().uuidString.prefix(8))"
    let name = "console"

    init(command: String, width: Int = 120, height: Int = 40) throws {
        // The client that starts the server is not waited for (Foundation does not see it end); the session is
        // ready when capture-pane answers.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "tmux", "-L", socket, "new-session", "-d", "-s", name, "-x", String(width), "-y", String(height), command,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 {
            if (try? tmux(["has-session", "-t", name]))?.isEmpty == true {
                let pids = ((try? tmux(["display-message", "-p", "-t", name, "#{pid} #{pane_pid}"])) ?? "")
                    .split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                serverPid = pids.first
                panePid = pids.dropFirst().first
                return
            }
            usleep(50_000)
        }
    }

    /// The tmux server and the pane's shell, so that `kill()` can make sure they are gone.
    var serverPid: Int32?
    var panePid: Int32?

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        try runProgram("/usr/bin/env", ["tmux", "-L", socket] + arguments).output
    }

    func keys(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }

    var screen: String { (try? tmux(["capture-pane", "-p", "-t", name])) ?? "" }

    /// Waits until the screen shows `text`; returns the screen.
    @discardableResult
    func wait(for text: String, timeout: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> String
    {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let current = screen
            if current.contains(text) { return current }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the screen never showed \(text):\n\(screen)", sourceLocation: sourceLocation)
        throw CLIFailure()
    }

    /// Ends the session, its server and everything the pane started (the console included), even when the
    /// server does not go at `kill-server`.
    func kill() {
        _ = try? tmux(["kill-server"])
        if let panePid { Glibc.kill(-panePid, SIGKILL) }
        if let serverPid {
            for _ in 0..<20 where Glibc.kill(serverPid, 0) == 0 { usleep(50_000) }
            if Glibc.kill(serverPid, 0) == 0 { Glibc.kill(serverPid, SIGKILL) }
        }
    }
}

func get(_ url: String, key: String? = nil) async throws -> Int {
    var request = URLRequest(url: URL(string: url)!)
    if let key { request.setValue(key, forHTTPHeaderField: "x-api-key") }
    let (_, response) = try await URLSession.shared.data(for: request)
    return (response as? HTTPURLResponse)?.statusCode ?? 0
}

@Suite(.serialized) struct ConsoleTmuxTests {
    /// The walkthrough by keys at 80×24 in the real console, with requests from outside after each step and the
    /// Rules pane read after each step: every verdict is what the requests show.
    @Test func walkthroughInTheRealConsoleAt80x24() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let command =
            "TERM=xterm-256color \(Binary.url.path) --state \(scratch.state) --port 0; echo CONSOLE-EXITED $?; sleep 30"
        let tmux = try TmuxSession(command: command, width: 80, height: 24)
        defer { tmux.kill() }

        let first = try await tmux.wait(for: "Set up the sample workspace")
        let port = try #require(first.firstMatch(of: /invoke: http:\/\/127\.0\.0\.1:(\d+)/)?.1)
        try tmux.keys("y")
        try await tmux.wait(for: "pictures-nlb")
        try tmux.keys("6", "n", "Enter", "Enter")
        let links = try await tmux.wait(for: "AVAILABLE")
        let backendPort = try #require(links.firstMatch(of: /127\.0\.0\.1:(\d+)  healthy/)?.1)
        /// Reads the Rules pane, waiting for `verdicts` (each `✓ R1` or `✗ R1`), then goes back to `pane`.
        func rules(_ verdicts: String..., then pane: String) async throws {
            try tmux.keys("7")
            for verdict in verdicts { try await tmux.wait(for: verdict) }
            try tmux.keys(pane)
        }
        try await rules("– R1", "nothing deployed", then: "1")

        try tmux.keys("i", "Enter", "Enter", "Enter", "Enter", "Enter")
        let resources = try await tmux.wait(for: "APIs › pictures (")
        let api = try #require(resources.firstMatch(of: /pictures \(([a-z0-9]{10})\)/)?.1)
        // Deploying is refused for methods without an integration; the dialog integrates them all with one key.
        try tmux.keys("d", "Enter", "Enter", "Enter", "Enter")
        try await tmux.wait(for: "No integration defined for method")
        try tmux.keys("Enter")
        try await tmux.wait(for: "Deployed to test")
        let url = "http://127.0.0.1:\(port)/restapis/\(api)/test/_user_request_/api/pictures/all"
        #expect(try await get(url) == 200)
        try await rules("✓ R1", "✗ R2", "✓ R3", "✗ R4", then: "2")

        // Tree rows: /, /api, /pictures, POST, /all, GET, /{id}, GET, DELETE: methods at 3, 5, 7 and 8.
        try tmux.keys("j", "j", "j", "a")
        try await tmux.wait(for: "POST /api/pictures: API key required")
        try tmux.keys("j", "j", "a")
        try await tmux.wait(for: "GET /api/pictures/all: API key required")
        try tmux.keys("j", "j", "a")
        try await tmux.wait(for: "GET /api/pictures/{id}: API key required")
        try tmux.keys("j", "a")
        try await tmux.wait(for: "DELETE /api/pictures/{id}: API key required")
        // Not deployed yet: the stage still serves without a key, and the rules say so.
        #expect(try await get(url) == 200)
        try await rules("✗ R4", "POST /api/pictures requires a key in the", then: "2")
        try tmux.keys("k", "k", "k", "t", "Enter", "Enter", "Enter", "Enter")
        try await tmux.wait(for: "Test GET /api/pictures/all: 200")
        try tmux.keys("Escape", "d", "Enter", "Enter", "Enter", "Enter")
        try await tmux.wait(for: "Deployed to test")
        #expect(try await get(url) == 403)
        try await rules("✓ R4", "no usage plan covers the stage", then: "5")

        // A plan, then a key created straight into it.
        try tmux.keys("n", "Enter", "Enter", "Enter", "Enter", "Enter", "Enter")
        try await tmux.wait(for: "Created usage plan basic")
        try tmux.keys("4", "n", "Enter", "Enter", "Enter")
        let created = try await tmux.wait(for: "Created API key test: ")
        let key = try #require(created.firstMatch(of: /Created API key test: ([A-Za-z0-9]{40})/)?.1)
        #expect(try await get(url, key: String(key)) == 200)
        try await rules("✓ R4", then: "3")

        try tmux.keys("c")
        try await tmux.wait(for: "Cache on for stage test")
        try tmux.keys(
            "r", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "0.05", "Enter", "BSpace", "BSpace", "BSpace",
            "BSpace", "2", "Enter")
        try await tmux.wait(for: "throttles every method at 0.05 req/s, burst 2")
        func backendRequests() async throws -> Int {
            let (data, _) = try await URLSession.shared.data(
                from: URL(string: "http://127.0.0.1:\(backendPort)/stats")!)
            return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["requests"] as? Int ?? -1
        }
        let before = try await backendRequests()
        var statuses: [Int] = []
        for _ in 0..<5 { statuses.append(try await get(url, key: String(key))) }
        #expect(statuses.filter { $0 == 200 }.count == 2, "\(statuses)")
        #expect(statuses.filter { $0 == 429 }.count == 3, "\(statuses)")
        #expect(try await backendRequests() == before + 1, "cache hits reached the backend")
        try await rules("✓ R1", "✓ R2", "✓ R3", "✓ R4", then: "8")
        try await tmux.wait(for: "429 GET /test/api/pictures/all")
        try await tmux.wait(for: "stage limit 0.05 rps, burst 2")

        try tmux.keys("q")
        let after = try await tmux.wait(for: "CONSOLE-EXITED 0")
        #expect(!after.contains("Gatehouse  API Gateway"), "the terminal was not restored")
    }

    @Test func directColourTerminalGetsTheThemeColoursExactly() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        // xterm-direct (from Debian's ncurses-term, which .ci/run installs) declares 24-bit colour.
        let command =
            "env -u NO_COLOR TERM=xterm-direct \(Binary.url.path) --state \(scratch.state) --port 0 --no-sample; echo CONSOLE-EXITED $?; sleep 30"
        let tmux = try TmuxSession(command: command, width: 100, height: 30)
        defer { tmux.kill() }
        try await tmux.wait(for: "No APIs yet.")
        let colors = try tmux.tmux(["capture-pane", "-p", "-e", "-t", tmux.name])
        // The default theme's orange (#ff9900) on squid ink (#232f3e), as given.
        #expect(colors.contains("38;2;255;153;0"), "\(colors.prefix(300))")
        #expect(colors.contains("48;2;35;47;62"))
        try tmux.keys("q")
        try await tmux.wait(for: "CONSOLE-EXITED 0")
    }

    @Test func monoWithNoColorAndTooSmall() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let command =
            "NO_COLOR=1 TERM=xterm-256color \(Binary.url.path) --state \(scratch.state) --port 0 --no-sample; echo CONSOLE-EXITED $?; sleep 30"
        let tmux = try TmuxSession(command: command, width: 70, height: 20)
        defer { tmux.kill() }
        try await tmux.wait(for: "terminal too small: need 80×24, have 70×20")
        try tmux.tmux(["resize-window", "-t", tmux.name, "-x", "100", "-y", "30"])
        try await tmux.wait(for: "No APIs yet.")
        let colors = try tmux.tmux(["capture-pane", "-p", "-e", "-t", tmux.name])
        #expect(!colors.contains("38;5;"), "NO_COLOR still showed colours")
        try tmux.keys("q")
        try await tmux.wait(for: "CONSOLE-EXITED 0")
    }
}
