import Foundation
import GatewayControl
import GatewayModel
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@testable import GatewayEngine

#if canImport(Glibc)
    import Glibc
#endif

/// Integrations other than the VPC-link proxy, and what happens when backends misbehave.
@Suite struct IntegrationTests {
    /// An API with one method at `path`, integrated as `integration`, deployed to `test`, served on a fresh engine.
    func serve(
        _ integration: Integration, path: String = "/thing", method: String = "GET", binaryMediaTypes: [String] = []
    )
        async throws -> (GatewayControl, GatewayEngine, RestApi, TestClient)
    {
        let control = try GatewayControl(location: ":memory:")
        let engine = control.makeEngine(threads: 1)
        try await control.attach(engine)
        let port = try await engine.start(port: 0)
        let api = try await control.createRestApi(name: "faults", binaryMediaTypes: binaryMediaTypes)
        let resource = try await control.ensureResource(api: api.id, path: path)
        _ = try await control.putMethod(api: api.id, resource: resource.id, httpMethod: method)
        _ = try await control.putIntegration(
            api: api.id, resource: resource.id, httpMethod: method, integration: integration)
        for response in integration.integrationResponses.values {
            _ = try await control.putIntegrationResponse(
                api: api.id, resource: resource.id, httpMethod: method, response: response)
        }
        _ = try await control.createDeployment(api: api.id, stageName: "test")
        return (control, engine, api, TestClient(port: port))
    }

    @Test func mockAnswersFromItsTemplates() async throws {
        let mock = Integration(
            type: .mock, requestTemplates: ["application/json": "{\"statusCode\": 201}"],
            integrationResponses: [
                "201": IntegrationResponse(
                    statusCode: "201", selectionPattern: "2\\d{2}",
                    responseParameters: ["method.response.header.X-Mock": "'yes'"],
                    responseTemplates: ["application/json": "{\"message\": \"Go ahead without me.\"}"]),
                "500": IntegrationResponse(statusCode: "500"),
            ])
        let (_, engine, api, client) = try await serve(mock)
        try await withCleanup({ try? await engine.stop() }) {
            let response = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/thing")
            #expect(response.status == 201)
            #expect(response.body == "{\"message\": \"Go ahead without me.\"}")
            #expect(response.headers.first(name: "X-Mock") == "yes")
        }
    }

    @Test func httpIntegrationMapsStatusesBySelectionPattern() async throws {
        let backend = try await ScriptedServer { head in
            head.uri.contains("missing")
                ? .respond(status: 404, headers: [], body: "{\"error\":\"nope\"}")
                : head.uri.contains("teapot")
                    ? .respond(status: 418, headers: [], body: "short and stout")
                    : .respond(
                        status: 200, headers: [("X-Backend", "b1")], body: "{\"ok\":true,\"uri\":\"\(head.uri)\"}")
        }
        try await withCleanup({ await backend.stop() }) {
            let http = Integration(
                type: .http, httpMethod: "GET", uri: "http://127.0.0.1:\(backend.port)/items/{id}",
                requestParameters: [
                    "integration.request.path.id": "method.request.path.id",
                    "integration.request.querystring.kind": "'static'",
                ],
                integrationResponses: [
                    "200": IntegrationResponse(
                        statusCode: "200",
                        responseParameters: ["method.response.header.X-From": "integration.response.header.X-Backend"]),
                    "404": IntegrationResponse(statusCode: "404", selectionPattern: "404"),
                ])
            let (_, engine, api, client) = try await serve(http, path: "/items/{id}")
            try await withCleanup({ try? await engine.stop() }) {
                let base = "/restapis/\(api.id)/test/_user_request_/items"
                let ok = try await client.send(.GET, base + "/42?ignored=1")
                #expect(ok.status == 200)
                #expect(
                    ok.body == "{\"ok\":true,\"uri\":\"/items/42?kind=static\"}",
                    "non-proxy passes only mapped parameters")
                #expect(ok.headers.first(name: "X-From") == "b1")
                let missing = try await client.send(.GET, base + "/missing")
                #expect(missing.status == 404)
                // 418 matches no pattern; the default (no pattern) response is 200.
                let teapot = try await client.send(.GET, base + "/teapot")
                #expect(teapot.status == 200)
            }
        }
    }

    @Test func noMatchingIntegrationResponseIsAnInternalError() async throws {
        let backend = try await ScriptedServer { _ in .respond(status: 404, headers: [], body: "{}") }
        try await withCleanup({ await backend.stop() }) {
            let http = Integration(
                type: .http, httpMethod: "GET", uri: "http://127.0.0.1:\(backend.port)/",
                integrationResponses: ["200": IntegrationResponse(statusCode: "200", selectionPattern: "2\\d{2}")])
            let (control, engine, api, client) = try await serve(http)
            try await withCleanup({ try? await engine.stop() }) {
                let response = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/thing")
                #expect(response.status == 500)
                #expect(response.body == "{\"message\": \"Internal server error\"}")
                let resource = try control.resources(api: api.id).first { $0.path == "/thing" }!
                let test = try await control.testInvoke(
                    api: api.id, resource: resource.id, httpMethod: "GET", input: .init(pathWithQueryString: "/thing"))
                #expect(test.status == 500)
                #expect(
                    test.log.contains(
                        "Execution failed due to configuration error: No match for output mapping and no default output mapping configured. Endpoint Response Status Code: 404"
                    ))
            }
        }
    }

    @Test func slowBackendTimesOutWith504() async throws {
        // The backend answers after 10 s; the 200 ms integration timeout answers long before (the bound is
        // generous so that a busy machine passes, and still far below the backend's delay).
        let backend = try await ScriptedServer { _ in .delay(milliseconds: 10_000, then: "{\"late\":true}") }
        try await withCleanup({ await backend.stop() }) {
            let proxy = Integration(
                type: .httpProxy, httpMethod: "GET", uri: "http://127.0.0.1:\(backend.port)/", timeoutInMillis: 200)
            let (_, engine, api, client) = try await serve(proxy)
            try await withCleanup({ try? await engine.stop() }) {
                let started = ContinuousClock.now
                let response = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/thing")
                #expect(response.status == 504)
                #expect(response.body == "{\"message\": \"Endpoint request timed out\"}")
                #expect(response.headers.first(name: "x-amzn-ErrorType") == "InternalServerErrorException")
                #expect(ContinuousClock.now - started < .seconds(8))
            }
        }
    }

    @Test func theTimeoutHoldsOnAKeptAliveConnection() async throws {
        // Fast answers keep one backend connection alive; a slow call on it still times out, and the next fast
        // one is served (on a new connection).
        let backend = try await ScriptedServer { head in
            head.uri.contains("slow")
                ? .delay(milliseconds: 10_000, then: "{\"late\":true}")
                : .respond(status: 200, headers: [], body: "{\"fast\":true}")
        }
        try await withCleanup({ await backend.stop() }) {
            let proxy = Integration(
                type: .httpProxy, httpMethod: "GET", uri: "http://127.0.0.1:\(backend.port)/{proxy}",
                requestParameters: ["integration.request.path.proxy": "method.request.path.proxy"],
                timeoutInMillis: 300)
            let (_, engine, api, client) = try await serve(proxy, path: "/{proxy+}")
            try await withCleanup({ try? await engine.stop() }) {
                let base = "/restapis/\(api.id)/test/_user_request_"
                for _ in 0..<3 { #expect(try await client.send(.GET, base + "/fast").status == 200) }
                let started = ContinuousClock.now
                let slow = try await client.send(.GET, base + "/slow")
                #expect(slow.status == 504)
                #expect(slow.body == "{\"message\": \"Endpoint request timed out\"}")
                #expect(ContinuousClock.now - started < .seconds(8))
                #expect(try await client.send(.GET, base + "/fast").status == 200)
            }
        }
    }

    @Test func backendDownOrBrokenGives504AndTheGatewayKeepsServing() async throws {
        let closing = try await ScriptedServer { _ in .closeMidResponse }
        let garbage = try await ScriptedServer(garbage: true)
        let (fd, downPort) = try Self.refusingPort()
        defer { close(fd) }
        try await withCleanup({
            await closing.stop()
            await garbage.stop()
        }) {
            for port in [downPort, closing.port, garbage.port] {
                let proxy = Integration(type: .httpProxy, httpMethod: "GET", uri: "http://127.0.0.1:\(port)/")
                let (_, engine, api, client) = try await serve(proxy)
                try await withCleanup({ try? await engine.stop() }) {
                    let response = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/thing")
                    #expect(response.status == 504, "port \(port)")
                    #expect(response.body == "{\"message\": \"Network error communicating with endpoint\"}")
                    // The gateway still answers.
                    #expect(
                        try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/nothing").status == 403)
                }
            }
        }
    }

    @Test func testInvokeWritesTheExecutionLog() async throws {
        let gateway = try await Walkthrough.start(deploy: false)
        try await withCleanup({ await gateway.stop() }) {
            let byId = try await gateway.resource("/api/pictures/{id}")
            let result = try await gateway.control.testInvoke(
                api: gateway.api.id, resource: byId.id, httpMethod: "GET",
                input: .init(
                    pathWithQueryString: "/api/pictures/2?size=small", headers: [("Accept", "application/json")]))
            #expect(result.status == 200)
            #expect(result.body.contains("\"name\":\"lima.jpg\""))
            #expect(result.headers["Content-Type"] == "application/json")
            let lines = result.log.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("Execution log for request ") == true)
            let texts = lines.dropFirst().map { line -> String in
                guard let range = line.range(of: " : ") else { return line }
                return String(line[range.upperBound...])
            }
            #expect(texts.contains("HTTP Method: GET, Resource Path: /api/pictures/2"))
            #expect(texts.contains("Method request path: {id=2}"))
            #expect(texts.contains("Method request query string: {size=small}"))
            #expect(
                texts.contains {
                    $0.hasPrefix("Endpoint request URI: http://pictures-nlb-")
                        && $0.hasSuffix("/api/pictures/2?size=small")
                })
            #expect(
                texts.contains {
                    $0.hasPrefix("Received response. Status: 200, Integration latency: ") && $0.hasSuffix(" ms")
                })
            #expect(texts.last == "Method completed with status: 200")
            let stamp = try #require(lines.dropFirst().first)
            #expect(
                stamp.range(
                    of: #"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4} : "#,
                    options: .regularExpression)
                    != nil)
            // No stage, no key check, no cache: the backend saw the call, and nothing is in any stage's figures.
            #expect(gateway.backend.apiRequestCount == 1)
        }
    }

    @Test func targetsLeaveAndRejoinTheRotation() async throws {
        let first = try await ScriptedServer { _ in .respond(status: 200, headers: [], body: "{\"target\":1}") }
        let secondBox = ScriptedServerBox()
        secondBox.server = try await ScriptedServer { _ in .respond(status: 200, headers: [], body: "{\"target\":2}") }
        let secondPort = secondBox.server!.port
        defer {
            Task {
                await first.stop(); await secondBox.server?.stop()
            }
        }
        let control = try GatewayControl(location: ":memory:")
        let engine = control.makeEngine(threads: 1, healthCheckMilliseconds: 50)
        try await control.attach(engine)
        let port = try await engine.start(port: 0)
        try await withCleanup({ try? await engine.stop() }) {
            let balancer = try await control.createLoadBalancer(
                name: "two",
                targets: [Target(host: "127.0.0.1", port: first.port), Target(host: "127.0.0.1", port: secondPort)])
            let link = try await Walkthrough.waitForLink(
                try await control.createVpcLink(name: "two", targetArn: balancer.arn).id, control: control)
            #expect(link.status == .available)
            let api = try await control.createRestApi(name: "balanced")
            let resource = try await control.ensureResource(api: api.id, path: "/t")
            _ = try await control.putMethod(api: api.id, resource: resource.id, httpMethod: "GET")
            _ = try await control.putIntegration(
                api: api.id, resource: resource.id, httpMethod: "GET",
                integration: Integration(
                    type: .httpProxy, httpMethod: "GET", uri: "http://\(balancer.dnsName)/", connectionType: .vpcLink,
                    connectionId: link.id))
            _ = try await control.createDeployment(api: api.id, stageName: "test")
            let client = TestClient(port: port)
            func targetsSeen(_ count: Int) async throws -> Set<String> {
                var seen: Set<String> = []
                for _ in 0..<count {
                    seen.insert(try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/t").body)
                }
                return seen
            }
            #expect(try await targetsSeen(6) == ["{\"target\":1}", "{\"target\":2}"])
            await secondBox.server?.stop()
            for _ in 0..<100 where engine.targetHealth(balancer: "two").allSatisfy(\.healthy) {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(engine.targetHealth(balancer: "two").filter { !$0.healthy }.map(\.target.port) == [secondPort])
            #expect(try await targetsSeen(6) == ["{\"target\":1}"])
            // The second target comes back on its port.
            secondBox.server = try? await ScriptedServer.on(port: secondPort) { _ in
                .respond(status: 200, headers: [], body: "{\"target\":2}")
            }
            if secondBox.server != nil {
                for _ in 0..<100 where !engine.targetHealth(balancer: "two").allSatisfy(\.healthy) {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(try await targetsSeen(6) == ["{\"target\":1}", "{\"target\":2}"])
            }
        }
    }

    /// A loopback port that refuses connections for as long as the returned descriptor is open: bound but not
    /// listening, so no other test's server can take it meanwhile (a freed port could be reused at once).
    static func refusingPort() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func linkWithNoReachableTargetFails() async throws {
        let (fd, port) = try Self.refusingPort()
        defer { close(fd) }
        let control = try GatewayControl(location: ":memory:")
        let engine = control.makeEngine(threads: 1, healthCheckMilliseconds: 20, pendingHealthChecks: 3)
        try await control.attach(engine)
        try await withCleanup({ try? await engine.stop() }) {
            let balancer = try await control.createLoadBalancer(
                name: "down", targets: [Target(host: "127.0.0.1", port: port)])
            let link = try await Walkthrough.waitForLink(
                try await control.createVpcLink(name: "down", targetArn: balancer.arn).id, control: control)
            #expect(link.status == .failed)
            #expect(
                link.statusMessage?.contains("127.0.0.1:\(port) (connection refused)") == true,
                "\(link.statusMessage ?? "")")
        }
    }
}

/// Holds a server that a test replaces.
final class ScriptedServerBox: @unchecked Sendable {
    var server: ScriptedServer?
}
