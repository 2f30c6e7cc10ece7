import Foundation
import Testing

/// Runs a program found on PATH to completion; its standard error follows its output. The waiting happens on a
/// thread of its own, never on one of the few threads that run every test's tasks (2 on a 2-core machine):
/// a script that runs for half a minute would otherwise hold back every other test meanwhile.
func runTool(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 120) async throws
    -> (status: Int32, output: String)
{
    let result = try await Binary.detached {
        try Binary.execute(
            URL(fileURLWithPath: "/usr/bin/env"), arguments, environment: environment, timeout: timeout)
    }
    return (result.status, result.stdout + result.stderr)
}

/// The aws CLI (pip's awscli, which `.ci/run` installs) against `gatehouse serve`.
@Suite(.serialized) struct AwsCliTests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scripts")

    /// `Tests/Scripts/walkthrough-awscli`: the whole walkthrough with the aws CLI, proven with curl.
    @Test func walkthroughWithTheAwsCli() async throws {
        let script = Self.scripts.appendingPathComponent("walkthrough-awscli").path
        let result = try await runTool(["bash", script, Binary.url.path], timeout: 180)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("walkthrough-awscli: all steps passed"))
        #expect(result.output.contains("ok  six requests: 200 200 429 429 429 429"))
    }

    /// `Tests/Scripts/shapes-botocore`: every answer of ~45 operations has only members botocore's model of
    /// API Gateway knows, of their types (botocore drops unknown members silently, so SDK users would see nothing).
    @Test func answersMatchBotocoresModelOfApiGateway() async throws {
        let script = Self.scripts.appendingPathComponent("shapes-botocore").path
        let result = try await runTool(["python3", script, Binary.url.path], timeout: 120)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("every member is one botocore knows, of its type"))
    }

    /// The console's own process serves the control API (here on a port of its own): what the aws CLI creates
    /// shows in the open console at once.
    @Test func theOpenConsoleShowsWhatTheAwsCliCreates() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let free = try await runTool([
            "python3", "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])",
        ])
        let port = try #require(Int(free.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        let command =
            "TERM=xterm-256color \(Binary.url.path) --state \(scratch.state) --port 0 --no-sample --control-port \(port); echo CONSOLE-EXITED $?; sleep 30"
        let tmux = try TmuxSession(command: command, width: 120, height: 40)
        defer { tmux.kill() }
        try await tmux.wait(for: "No APIs yet.")
        let created = try await runTool(
            [
                "aws", "apigateway", "create-rest-api", "--name", "orders-made-by-the-cli", "--endpoint-url",
                "http://127.0.0.1:\(port)", "--region", "us-east-1",
            ], environment: ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_PAGER": ""])
        #expect(created.status == 0, "\(created.output)")
        try await tmux.wait(for: "orders-made-by-the-cli")
        try tmux.keys("q")
        try await tmux.wait(for: "CONSOLE-EXITED 0")
    }

    /// With --require-signature, requests signed with another secret get API Gateway's 403; the region of the
    /// credential scope is the one Gatehouse answers for.
    @Test func signaturesAreCheckedWhenRequired() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let server = try Running([
            "serve", "--port", "0", "--state", scratch.state, "--quiet", "--require-signature", "--access-key-id",
            "AKIDGATEHOUSE", "--secret-access-key", "s3cret",
        ])
        defer { server.stop() }
        let port = try await server.wait(for: #"Gatehouse serving on http://127\.0\.0\.1:(\d+)"#)
        let endpoint = ["--endpoint-url", "http://127.0.0.1:\(port)", "--output", "json"]
        let good = ["AWS_ACCESS_KEY_ID": "AKIDGATEHOUSE", "AWS_SECRET_ACCESS_KEY": "s3cret", "AWS_PAGER": ""]

        let created = try await runTool(
            [
                "aws", "apigateway", "create-domain-name", "--domain-name", "api.example.com",
                "--endpoint-configuration",
                "types=REGIONAL", "--region", "eu-west-1",
            ] + endpoint,
            environment: good)
        #expect(created.status == 0, "\(created.output)")
        #expect(created.output.contains(".execute-api.eu-west-1.amazonaws.com"), "\(created.output)")

        // A wrong secret, and an access key Gatehouse does not know.
        for (key, value, type, message) in [
            (
                "AWS_SECRET_ACCESS_KEY", "guess", "InvalidSignatureException",
                "The request signature we calculated does not match"
            ),
            (
                "AWS_ACCESS_KEY_ID", "AKIDSOMEONEELSE", "UnrecognizedClientException",
                "The security token included in the request is invalid"
            ),
        ] {
            var environment = good
            environment[key] = value
            let refused = try await runTool(
                ["aws", "apigateway", "get-rest-apis", "--region", "us-east-1"] + endpoint, environment: environment)
            #expect(refused.status != 0)
            #expect(refused.output.contains(type), "\(refused.output)")
            #expect(refused.output.contains(message))
        }

        let listed = try await runTool(
            ["aws", "apigateway", "get-domain-names", "--region", "us-east-1"] + endpoint, environment: good)
        #expect(listed.status == 0)
        #expect(listed.output.contains("api.example.com"))
    }
}
