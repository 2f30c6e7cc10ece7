import Foundation
import GatewayModel
import SampleBackend
import TerminalUI
import Testing

@testable import Console

/// The editors behind the method execution boxes, the stage's history and variables, and key deletion.
@MainActor
@Suite(.serialized) struct EditorTests {
    /// A console with the sample API imported, a MOCK integration on GET /api/pictures/all, that method selected.
    func consoleWithMethod() async throws -> (ConsoleHarness, RestApi) {
        let console = try await ConsoleHarness(offerSample: false)
        let api = try await console.control.importRestApi(
            PicturesBackend.swagger, options: .init(endpointType: .regional)
        ).api
        await console.reload()
        await console.press(.character("2"))
        for _ in 0..<5 { await console.press(.down) }
        #expect(console.text.contains("GET /api/pictures/all — method execution"))
        return (console, api)
    }

    func clear(_ console: ConsoleHarness, _ count: Int) async {
        for _ in 0..<count { await console.press(.backspace) }
    }

    @Test func integrationRequestEditor() async throws {
        let (console, api) = try await consoleWithMethod()
        defer { Task { await console.stop() } }
        await console.press(.character("e"))
        #expect(console.text.contains("Integration Request: GET /api/pictures/all"))
        // Type: HTTP proxy (there is no VPC link), then HTTP, then Mock.
        await console.press(.right, .right)
        #expect(console.text.contains("‹ Mock ›"))
        await console.press(.enter, .enter, .enter, .enter)
        await clear(console, 5)
        await console.type("30000")
        await console.press(.enter)
        #expect(console.text.contains("Timeout should be between 50 ms and 29000 ms"))
        await console.press(.tab, .tab, .tab, .tab)
        await clear(console, 5)
        await console.type("1500")
        await console.press(.enter)
        #expect(!console.text.contains("Integration Request: GET"))
        let resource = try #require(
            try await console.control.resources(api: api.id).first { $0.path == "/api/pictures/all" })
        let integration = try #require(resource.resourceMethods["GET"]?.methodIntegration)
        #expect(integration.type == .mock)
        #expect(integration.timeoutInMillis == 1500)
        #expect(console.text.contains("Type: MOCK"))
    }

    @Test func methodRequestEditor() async throws {
        let (console, api) = try await consoleWithMethod()
        defer { Task { await console.stop() } }
        // An integration first, so that cache keys have somewhere to go.
        await console.press(.character("e"), .right, .right, .enter, .enter, .enter, .enter, .enter)
        await console.press(.character("m"))
        #expect(console.text.contains("Method Request: GET /api/pictures/all"))
        await console.press(.right, .enter, .right, .enter)
        await console.type("size,kind*")
        await console.press(.enter)
        await console.type("X-Trace")
        await console.press(.enter)
        await console.type("nosuch")
        await console.press(.enter)
        #expect(console.text.contains("Cache keys: 'nosuch' is not a parameter of the method"))
        await console.press(.tab, .tab, .tab, .tab)
        await clear(console, 6)
        await console.type("size")
        await console.press(.enter)
        #expect(!console.text.contains("Method Request: GET"))
        let method = try #require(
            try await console.control.resources(api: api.id).first { $0.path == "/api/pictures/all" }?.resourceMethods[
                "GET"])
        #expect(method.authorizationType == .awsIam)
        #expect(method.apiKeyRequired)
        #expect(
            method.requestParameters == [
                "method.request.querystring.size": false, "method.request.querystring.kind": true,
                "method.request.header.X-Trace": false,
            ])
        #expect(method.methodIntegration?.cacheKeyParameters == ["method.request.querystring.size"])
        #expect(console.text.contains("API key: required"))
    }

    @Test func historyRollbackAndVariables() async throws {
        let (console, api) = try await consoleWithMethod()
        defer { Task { await console.stop() } }
        for resource in try await console.control.resources(api: api.id) {
            for method in resource.sortedMethods {
                _ = try await console.control.putIntegration(
                    api: api.id, resource: resource.id, httpMethod: method.httpMethod,
                    integration: Integration(type: .mock))
            }
        }
        let first = try await console.control.createDeployment(api: api.id, stageName: "test", description: "first")
        try await Task.sleep(for: .milliseconds(20))
        let second = try await console.control.createDeployment(api: api.id, stageName: "test", description: "second")
        await console.reload()
        await console.press(.character("3"), .character("p"))
        #expect(console.text.contains("\(second.id)"))
        #expect(console.text.contains("(current)"))
        await console.press(.right, .enter)
        #expect(try await console.control.stage(api: api.id, name: "test").deploymentId == first.id)
        #expect(console.text.contains("Stage test now serves deployment \(first.id)"))

        // A per-method override: the first method (POST /api/pictures), caching off, 2 requests a second.
        await console.press(.character("o"), .enter, .right, .enter, .enter)
        await clear(console, 5)
        await console.type("2")
        await console.press(.enter)
        await clear(console, 4)
        await console.type("4")
        await console.press(.enter)
        let override = try #require(
            try await console.control.stage(api: api.id, name: "test").methodSettings["~1api~1pictures/POST"])
        #expect(override.throttlingRateLimit == 2)
        #expect(override.throttlingBurstLimit == 4)
        #expect(!override.cachingEnabled)
        #expect(console.text.contains("~1api~1pictures/POST  caching off 300 s  2 req/s burst 4"))

        await console.press(.character("s"))
        await console.type("vpcLinkId=abc123,broken")
        await console.press(.enter)
        #expect(console.text.contains("Write NAME=VALUE pairs"))
        await clear(console, 7)
        await console.press(.enter)
        #expect(try await console.control.stage(api: api.id, name: "test").variables == ["vpcLinkId": "abc123"])
    }

    @Test func clicksSelectPanesAndRows() async throws {
        let (console, _) = try await consoleWithMethod()
        defer { Task { await console.stop() } }
        // Row 3 is the root resource; row 4 /api; a click on row 8 is GET /api/pictures/all.
        console.surface.send(.click(x: 20, y: 8))
        await console.app.runPending()
        #expect(console.text.contains("GET /api/pictures/all — method execution"))
        console.surface.send(.click(x: 20, y: 4))
        await console.app.runPending()
        #expect(console.text.contains("Resource /api ("))
        console.surface.send(.click(x: 3, y: 4 + 6))
        await console.app.runPending()
        #expect(console.app.pane == .rules)
    }

    @Test func filtersNarrowListsAndActionsFollowThem() async throws {
        let console = try await ConsoleHarness(offerSample: false)
        defer { Task { await console.stop() } }
        for name in ["alpha", "beta", "gamma"] { _ = try await console.control.createApiKey(name: name, enabled: true) }
        for name in ["orders", "pictures"] { _ = try await console.control.createRestApi(name: name) }
        await console.reload()
        await console.press(.character("4"), .character("/"))
        await console.type("ET")
        await console.press(.enter)
        #expect(console.text.contains("beta"))
        #expect(!console.text.contains("alpha"))
        #expect(!console.text.contains("gamma"))
        // The action works on the row shown, not on the first key of the whole list.
        await console.press(.character("x"), .character("y"))
        #expect(try await console.control.apiKeys().map(\.name) == ["alpha", "gamma"])

        await console.press(.character("1"), .character("/"))
        await console.type("pict")
        await console.press(.enter, .enter)
        #expect(console.text.contains("APIs › pictures ("))
    }

    @Test func deletingAKeyAsksFirst() async throws {
        let console = try await ConsoleHarness(offerSample: false)
        defer { Task { await console.stop() } }
        let key = try await console.control.createApiKey(name: "doomed", enabled: true)
        await console.reload()
        await console.press(.character("4"), .character("x"))
        #expect(console.text.contains("Delete the API key doomed"))
        await console.press(.character("n"))
        #expect(try await console.control.apiKeys().count == 1)
        await console.press(.character("x"), .character("y"))
        #expect(try await console.control.apiKeys().isEmpty)
        #expect(console.text.contains("Deleted API key \(key.id)"))
    }
}
