import Foundation
import TerminalUI
import Testing

@testable import Console

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What the aws CLI (or any SDK) changes through the control API shows at once in an open console.
@MainActor @Suite struct ControlApiConsoleTests {
    @Test func anApiCreatedThroughTheControlApiAppearsInTheOpenConsole() async throws {
        let harness = try await ConsoleHarness(offerSample: false, controlAPI: true)
        defer { Task { await harness.stop() } }
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
