import Foundation
import GatewayControl
import TerminalUI
import TestSupport
import Testing

@testable import Console

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What the aws CLI (or any SDK) changes through the control API shows at once in an open console.
@MainActor @Suite struct ControlApiConsoleTests {
    @Test func anApiCreatedThroughTheControlApiAppearsInTheOpenConsole() async throws {
        let harness = try await ConsoleHarness(offerSample: false, controlAPI: true)
        try await withCleanup({ await harness.stop() }) {
            #expect(!harness.text.contains("orders-from-the-cli"))
            var request = URLRequest(url: URL(string: harness.app.invokeBase + "/restapis")!)
            request.httpMethod = "POST"
            request.httpBody = Data(#"{"name": "orders-from-the-cli", "description": "made by an SDK"}"#.utf8)
            let (_, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 201)
            var shown = false
            for _ in 0..<100 where !shown {
                try await Task.sleep(for: .milliseconds(20))
                await harness.app.runPending()
                shown = harness.text.contains("orders-from-the-cli")
            }
            #expect(shown, "the APIs pane did not show the new API:\n\(harness.text)")
        }
    }
}

/// Changes another process makes to the same state file (a `gatehouse` verb, a `serve` answering the aws CLI)
/// reach the open console within a tick.
@MainActor @Suite struct OtherProcessTests {
    @Test func aChangeFromAnotherProcessShowsWithinATick() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state.sqlite").path
        let harness = try await ConsoleHarness(offerSample: false, state: state)
        try await withCleanup({ await harness.stop() }) {
            await harness.app.noticeOtherProcesses()

            let other = try GatewayControl(location: state)
            _ = try await other.createRestApi(name: "made-elsewhere")
            await harness.app.runPending()
            #expect(!harness.text.contains("made-elsewhere"), "nothing tells this console yet")
            await harness.app.noticeOtherProcesses()
            await harness.app.runPending()
            #expect(harness.text.contains("made-elsewhere"))
        }
    }
}
