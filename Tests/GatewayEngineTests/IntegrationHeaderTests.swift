import Foundation
import GatewayControl
import GatewayModel
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@testable import GatewayEngine

/// The headers an integration request carries, and the trace id of answers, as AWS sends and answers them.
@Suite struct IntegrationHeaderTests {
    /// A backend that answers every request with the headers it received, as a JSON object of lists.
    func echoingBackend() async throws -> ScriptedServer {
        try await ScriptedServer { head in
            var seen: [String: [String]] = [:]
            for (name, value) in head.headers { seen[name.lowercased(), default: []].append(value) }
            let body = String(decoding: try! JSONSerialization.data(withJSONObject: seen), as: UTF8.self)
            return .respond(status: 200, headers: [("Content-Type", "application/json")], body: body)
        }
    }

    func headers(_ response: TestClient.Response) throws -> [String: [String]] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: [String]])
    }

    @Test func proxyDropsWhatAwsDropsAndHonoursAMappedHost() async throws {
        let backend = try await echoingBackend()
        try await withCleanup({ await backend.stop() }) {
            let proxy = Integration(
                type: .httpProxy, httpMethod: "GET", uri: "http://127.0.0.1:\(backend.port)/echo",
                requestParameters: ["integration.request.header.Host": "'backend.internal'"])
            let (_, engine, api, client) = try await IntegrationTests().serve(proxy)
            try await withCleanup({ try? await engine.stop() }) {
                let answer = try await client.send(
                    .GET, "/restapis/\(api.id)/test/_user_request_/thing",
                    headers: [
                        "Via": "1.1 somewhere", "TE": "trailers", "Proxy-Authenticate": "Basic",
                        "Content-Encoding": "identity", "X-Custom": "kept",
                    ])
                #expect(answer.status == 200, "\(answer.body)")
                let seen = try headers(answer)
                #expect(seen["x-custom"] == ["kept"])
                for dropped in ["via", "te", "proxy-authenticate", "content-encoding"] {
                    #expect(seen[dropped] == nil, "\(dropped) reached the backend")
                }
                #expect(seen["host"] == ["backend.internal"], "a mapped Host is sent as mapped")
                #expect(answer.headers.first(name: "X-Amzn-Trace-Id") != nil, "an answer from a backend has a trace id")
            }
        }
    }

    @Test func nonProxyHttpAsksForJSONAndSendsOnlyWhatIsMapped() async throws {
        let backend = try await echoingBackend()
        try await withCleanup({ await backend.stop() }) {
            let http = Integration(
                type: .http, httpMethod: "POST", uri: "http://127.0.0.1:\(backend.port)/echo",
                integrationResponses: ["200": IntegrationResponse(statusCode: "200")])
            let (_, engine, api, client) = try await IntegrationTests().serve(http, method: "POST")
            try await withCleanup({ try? await engine.stop() }) {
                let answer = try await client.send(
                    .POST, "/restapis/\(api.id)/test/_user_request_/thing",
                    headers: ["Content-Type": "text/plain", "X-Custom": "not mapped"], body: "hello")
                #expect(answer.status == 200, "\(answer.body)")
                let seen = try headers(answer)
                #expect(seen["accept"] == ["application/json"])
                #expect(seen["content-type"] == nil)
                #expect(seen["x-custom"] == nil)
            }
        }
    }

    @Test func aMappedContentLengthIsAConfigurationError() async throws {
        let backend = try await echoingBackend()
        try await withCleanup({ await backend.stop() }) {
            let proxy = Integration(
                type: .httpProxy, httpMethod: "GET", uri: "http://127.0.0.1:\(backend.port)/echo",
                requestParameters: ["integration.request.header.Content-Length": "'12'"])
            let (_, engine, api, client) = try await IntegrationTests().serve(proxy)
            try await withCleanup({ try? await engine.stop() }) {
                let answer = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/thing")
                #expect(answer.status == 500)
                #expect(answer.body == "{\"message\": \"Internal server error\"}")
                #expect(backend.requestCount == 0, "nothing reached the backend")
            }
        }
    }

    @Test func aMockAnswerHasNoTraceId() async throws {
        let mock = Integration(
            type: .mock, requestTemplates: ["application/json": "{\"statusCode\": 200}"],
            integrationResponses: ["200": IntegrationResponse(statusCode: "200")])
        let (_, engine, api, client) = try await IntegrationTests().serve(mock)
        try await withCleanup({ try? await engine.stop() }) {
            let answer = try await client.send(.GET, "/restapis/\(api.id)/test/_user_request_/thing")
            #expect(answer.status == 200)
            #expect(answer.headers.first(name: "X-Amzn-Trace-Id") == nil)
        }
    }
}
