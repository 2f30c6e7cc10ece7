import Foundation
import Testing

/// `Tests/Scripts/hostile-clients` against the real binary: the behaviour that belongs to the process (running
/// as an ordinary user, file descriptors running out, the memory a non-reading client holds, timeouts of slow
/// clients) with the figures it prints.
@Suite(.serialized) struct HostileClientTests {
    @Test func theGatewayStaysUpUnderHostileClientsAndBackends() async throws {
        let script = AwsCliTests.scripts.appendingPathComponent("hostile-clients").path
        let result = try await runTool(["python3", script, Binary.url.path], timeout: 300)
        #expect(result.status == 0, "\(result.output)")
        for probe in [
            "unprivileged", "dot-segments", "billion-laughs", "unsolicited-responses", "slowloris-and-idle",
            "non-reading-client", "control-api-from-a-page", "file-descriptors-run-out", "unread-access-log",
        ] {
            #expect(result.output.contains("ok   \(probe):"), "\(probe) did not pass:\n\(result.output)")
        }
        #expect(result.output.contains("9 passed, 0 failed"))
    }
}
