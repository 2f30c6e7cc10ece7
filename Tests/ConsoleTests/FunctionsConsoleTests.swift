import Foundation
import GatewayControl
import GatewayModel
import TerminalUI
import TestSupport
import Testing

@testable import Console

/// Lambda functions in the console: the Functions pane lists them with their state, and a method's Integration
/// Request box makes it call one.
@MainActor
@Suite(.serialized) struct FunctionsConsoleTests {
    @Test func aMethodCallsALambdaFunctionChosenInItsIntegrationRequest() async throws {
        let code = FileManager.default.temporaryDirectory.appendingPathComponent("console-fn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: code, withIntermediateDirectories: true)
        try Data(
            """
            import json
            def handler(event, context):
                print("called for", event["path"])
                return {"statusCode": 200, "body": json.dumps({"served": event["resource"]})}
            """.utf8
        ).write(to: code.appendingPathComponent("app.py"))
        let console = try await ConsoleHarness(offerSample: false)
        try await withCleanup({
            await console.stop()
            try? FileManager.default.removeItem(at: code)
        }) {
            try await console.control.addFunction(
                LambdaFunction(
                    name: "pictures", kind: .process, runtime: "python3", handler: "app.handler", code: code.path))
            let (api, resource) = try await console.mockPicturesAll()
            // The Integration Request box: Type → Lambda proxy (next after Mock), the function preselected.
            await console.press(.character("e"))
            #expect(console.text.contains("Lambda function  ‹ pictures ›"))
            await console.press(.right)
            #expect(console.text.contains("‹ Lambda proxy ›"))
            await console.press(.control("s"))
            let method = try #require(try console.control.resources(api: api.id).first { $0.id == resource.id })
                .resourceMethods["GET"]
            #expect(method?.methodIntegration?.type == .awsProxy)
            #expect(method?.methodIntegration?.lambdaFunction == "pictures")
            #expect(console.text.contains("Lambda pictures"), "the flow's backend box names the function")
            // Test: the function runs and answers.
            await console.press(.character("t"))
            await console.press(.control("s"))
            #expect(await console.waitFor("\"served\""), "\(console.text)")
            await console.press(.escape)
            // The Functions pane: warm, one call, and what it printed.
            await console.press(.character("9"))
            #expect(await console.waitFor("warm 1"), "\(console.text)")
            #expect(await console.waitFor("called for /api/pictures/all"), "\(console.text)")
            // Without a function to choose, a Lambda type says where to get one.
            try await console.control.removeFunction("pictures")
            #expect(await console.waitFor("No Lambda functions."))
            await console.press(.character("2"), .character("e"))
            #expect(console.text.contains("‹ Lambda proxy ›"))
            #expect(!console.text.contains("Lambda function"))
            await console.press(.control("s"))
            #expect(
                console.text.contains("No Lambda function to call yet: register one on the Functions pane (9, then n)"))
        }
    }
}

extension FunctionsConsoleTests {
    @Test func aFunctionIsRegisteredFromTheFunctionsPane() async throws {
        let console = try await ConsoleHarness(offerSample: false)
        try await withCleanup({ await console.stop() }) {
            await console.press(.character("9"))
            #expect(console.text.contains("No Lambda functions."))
            await console.press(.character("n"))
            #expect(console.text.contains("Register a Lambda function"))
            // Name "hello", Runs python3, handler app.handler; a code directory that does not exist is refused there.
            await console.press(.enter, .enter, .enter)
            for _ in 0..<FileManager.default.currentDirectoryPath.count { await console.press(.backspace) }
            await console.type("/nonexistent-gatehouse-dir")
            await console.press(.control("s"))
            #expect(console.text.contains("The code directory /nonexistent-gatehouse-dir does not exist"))
            for _ in 0..<"/nonexistent-gatehouse-dir".count { await console.press(.backspace) }
            await console.type(FileManager.default.temporaryDirectory.path)
            await console.press(.control("s"))
            #expect(await console.waitFor("Registered function hello"))
            let registered = try console.control.function("hello")
            #expect(registered.handler == "app.handler")
            #expect(await console.waitFor("cold"))
        }
    }
}
