import ControlAPI
import Foundation
import GatewayControl
import GatewayEngine
import Testing

/// A web page must not drive the control API: not by a cross-origin request, not by re-binding its DNS name.
@Suite struct BrowserGuardTests {
    @Test func aRequestFromAWebPageIsRefusedAndChangesNothing() async throws {
        let client = try Client(options: .init(allowReset: true))
        // What a page's fetch() sends: a text/plain "simple" POST with its Origin.
        let forged = try await client.call(
            "POST", "/apikeys", Data(#"{"name":"forged","value":"attackerchosenvalue123456","enabled":true}"#.utf8),
            headers: ["Origin": "https://evil.example", "Content-Type": "text/plain", "Host": "127.0.0.1:4567"])
        #expect(forged.status == 403)
        #expect(forged.errorType == "AccessDeniedException")
        #expect(forged.message?.contains("Origin: https://evil.example") == true)
        #expect(try client.control.apiKeys().isEmpty)
        let reset = try await client.call(
            "POST", "/moto-api/reset", headers: ["Origin": "null", "Host": "127.0.0.1:4567"])
        #expect(reset.status == 403)
    }

    @Test func aHostThatIsNotLoopbackIsRefused() async throws {
        let client = try Client()
        _ = try await client.control.createApiKey(name: "k", enabled: true)
        // DNS rebinding: the page's own name now resolves to 127.0.0.1, so its Host is the page's name.
        let read = try await client.call(
            "GET", "/apikeys?includeValues=true", headers: ["Host": "rebound.evil.example:4567"])
        #expect(read.status == 403)
        #expect(read.message?.contains("rebound.evil.example") == true)
        #expect(!read.text.contains("\"value\""))
        for host in ["127.0.0.1:4567", "localhost:4567", "[::1]:4567", "127.1.2.3", "localhost"] {
            let allowed = try await client.call("GET", "/apikeys", headers: ["Host": host])
            #expect(allowed.status == 200, "\(host): \(allowed.text)")
        }
    }

    @Test func configuredHostsAndOriginsAreAllowed() async throws {
        let client = try Client(
            options: .init(allowedHosts: ["Gateway.Internal"], allowedOrigins: ["https://console.example"]))
        let named = try await client.call("GET", "/restapis", headers: ["Host": "gateway.internal:4567"])
        #expect(named.status == 200)
        let fromConsole = try await client.call(
            "GET", "/restapis", headers: ["Host": "127.0.0.1", "Origin": "https://console.example"])
        #expect(fromConsole.status == 200)
        let other = try await client.call(
            "GET", "/restapis", headers: ["Host": "127.0.0.1", "Origin": "https://other.example"])
        #expect(other.status == 403)
    }
}
