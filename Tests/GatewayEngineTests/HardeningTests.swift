import Foundation
import GatewayControl
import GatewayModel
import NIOConcurrencyHelpers
import NIOCore
import TestSupport
import Testing

@testable import GatewayEngine

/// A gateway on loopback with an API of HTTP_PROXY greedy resources in front of one backend.
struct ProxyGateway {
    let control: GatewayControl
    let engine: GatewayEngine
    let api: RestApi
    let port: Int
    let key: ApiKey

    /// `paths` maps a resource path (`/open/{proxy+}`) to whether its ANY method requires an API key; each
    /// proxies to the same path on `backend`.
    static func start(
        backendPort: Int, paths: [(String, Bool)], threads: Int = 1, limits: ServerLimits = ServerLimits()
    ) async throws -> ProxyGateway {
        let control = try GatewayControl(location: ":memory:")
        let engine = control.makeEngine(threads: threads, limits: limits)
        try await control.attach(engine)
        let port = try await engine.start(port: 0)
        let api = try await control.createRestApi(name: "hardening")
        for (path, keyed) in paths {
            let resource = try await control.ensureResource(api: api.id, path: path)
            _ = try await control.putMethod(
                api: api.id, resource: resource.id, httpMethod: "ANY", apiKeyRequired: keyed)
            _ = try await control.putIntegration(
                api: api.id, resource: resource.id, httpMethod: "ANY",
                integration: Integration(
                    type: .httpProxy, httpMethod: "ANY", uri: "http://127.0.0.1:\(backendPort)\(path)"))
        }
        _ = try await control.createDeployment(api: api.id, stageName: "test")
        let key = try await control.createApiKey(name: "k", enabled: true)
        let plan = try await control.createUsagePlan(
            name: "p", apiStages: [ApiStage(apiId: api.id, stage: "test")])
        _ = try await control.createUsagePlanKey(plan: plan.id, key: key.id)
        return ProxyGateway(control: control, engine: engine, api: api, port: port, key: key)
    }

    var base: String { "/restapis/\(api.id)/test/_user_request_" }

    /// Runs `body` with a gateway in front of `backend`, then stops both.
    static func with(
        _ backend: RawBackend, paths: [(String, Bool)] = [("/open/{proxy+}", false)],
        limits: ServerLimits = ServerLimits(), _ body: (ProxyGateway, RawBackend) async throws -> Void
    ) async throws {
        let gateway: ProxyGateway
        do {
            gateway = try await ProxyGateway.start(backendPort: backend.port, paths: paths, limits: limits)
        } catch {
            await backend.stop()
            throw error
        }
        try await withCleanup({
            await gateway.stop()
            await backend.stop()
        }) { try await body(gateway, backend) }
    }

    func stop() async { try? await engine.stop() }
}

/// Sends one raw request on a new connection and returns the whole answer (status line and all).
func rawExchange(port: Int, _ request: String, until: @escaping (String) -> Bool = { $0.contains("\r\n\r\n") })
    async throws -> String
{
    let raw = try await RawConnection(port: port)
    try await raw.send(request)
    let answer = await raw.text(within: .seconds(20)) { text in until(text) }
    await raw.close()
    return answer
}

/// The status code of a raw answer.
func statusOf(_ answer: String) -> Int? {
    let parts = answer.split(separator: " ", maxSplits: 2)
    return parts.count > 1 ? Int(parts[1]) : nil
}

@Suite(.serialized) struct PathHardeningTests {
    @Test func dotSegmentsCannotReachAKeyedResourceThroughAKeylessOne() async throws {
        try await ProxyGateway.with(RawBackend(), paths: [("/open/{proxy+}", false), ("/secure/{proxy+}", true)]) {
            gateway, backend in
            for attack in [
                "/open/../secure/x", "/open/%2e%2e/secure/x", "/open/%2E%2E/secure/x", "/open/./../secure/x",
            ] {
                let answer = try await rawExchange(
                    port: gateway.port, "GET \(gateway.base)\(attack) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                #expect(statusOf(answer) == 403, "\(attack): \(answer)")
            }
            #expect(backend.targets.isEmpty, "the backend was reached: \(backend.targets)")
            // An encoded slash is data inside one segment: it reaches the keyless resource's backend path, but
            // never as a live separator or dot-segment.
            let encoded = try await rawExchange(
                port: gateway.port, "GET \(gateway.base)/open/..%2fsecure%2fx HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(statusOf(encoded) == 200, "\(encoded)")
            #expect(backend.targets == ["/open/..%2Fsecure%2Fx"])
            for target in backend.targets {
                #expect(!target.contains("/../") && !target.contains("/./") && !target.contains("/secure"))
            }
            // With the key, the keyed resource is reached, with the normalised path.
            let keyed = try await rawExchange(
                port: gateway.port,
                "GET \(gateway.base)/open/../secure/x HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: \(gateway.key.value)\r\n\r\n"
            )
            #expect(statusOf(keyed) == 200, "\(keyed)")
            #expect(backend.targets.last == "/secure/x")
        }
    }

    @Test func bytesThatAreNotUTF8AreForwardedOnceEncoded() async throws {
        try await ProxyGateway.with(RawBackend()) { gateway, backend in
            let answer = try await rawExchange(
                port: gateway.port, "GET \(gateway.base)/open/a%ffb/c%20d/%7Euser HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(statusOf(answer) == 200, "\(answer)")
            #expect(backend.targets == ["/open/a%FFb/c%20d/~user"])
        }
    }

    @Test func headerBytesThatAreNotUTF8PassBothWaysUnchanged() async throws {
        // The backend answers with a Latin-1 header value (0xE9) and a byte that is never UTF-8 (0xFF).
        let backend = try await RawBackend { head in
            RawBackend.response(body: "ok", headers: "X-Back: caf\u{E9} \u{FF}\r\n")
        }
        try await ProxyGateway.with(backend) { gateway, backend in
            var request = ByteBuffer(string: "GET \(gateway.base)/open/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Name: ")
            request.writeBytes([0x63, 0x61, 0x66, 0xE9, 0x20, 0xC3, 0xA9, 0x20, 0xFF, 0xF4, 0x8F, 0xBE, 0x80])
            request.writeString("\r\nX-Plain: yes\r\n\r\n")
            let raw = try await RawConnection(port: gateway.port)
            try await raw.send(request)
            let answer = await raw.text { $0.contains("\r\n\r\nok") }
            let bytes = raw.received.withLockedValue { Array($0.readableBytesView) }
            await raw.close()
            #expect(statusOf(answer) == 200, "\(answer)")
            // Latin-1 é, UTF-8 é, 0xFF and a forged escape reach the backend byte for byte.
            let head = try #require(backend.received.first)
            #expect(head.contains("X-Name: caf\u{E9} \u{C3}\u{A9} \u{FF}\u{F4}\u{8F}\u{BE}\u{80}\r\n"), "\(head)")
            #expect(head.contains("X-Plain: yes"))
            // And the backend's bytes reach the client as they were.
            #expect(RawBackend.latin1(bytes).contains("X-Back: caf\u{E9} \u{FF}\r\n"), "\(RawBackend.latin1(bytes))")
        }
    }

    @Test func escapingKeepsValidUTF8AndBodies() {
        var invalid = ByteBuffer()
        invalid.writeBytes([0x41, 0xE9, 0xC3, 0xA9, 0xED, 0xA0, 0x80, 0xF4, 0x8F, 0xBF, 0xBF])
        let escaped = HeaderBytes.escape(invalid.readableBytesView)
        #expect(String(buffer: escaped).unicodeScalars.allSatisfy { $0 != "\u{FFFD}" })
        #expect(String(buffer: escaped).contains("\u{E9}"))  // the valid é kept as the character
        #expect(Array(HeaderBytes.unescape(escaped).readableBytesView) == Array(invalid.readableBytesView))
    }

    @Test func normalFormOfPaths() {
        #expect(RequestPath.normalized("/a/./b/../c") == "/a/c")
        #expect(RequestPath.normalized("/../../etc") == "/etc")
        #expect(RequestPath.normalized("/a/%2e%2E/b") == "/b")
        #expect(RequestPath.normalized("/a/%2Fb") == "/a/%2Fb")
        #expect(RequestPath.normalized("/a/..") == "/")
        #expect(RequestPath.normalized("/a/b/.") == "/a/b/")
        #expect(RequestPath.normalized("/%7efoo/%41") == "/~foo/A")
        #expect(RequestPath.normalized("/a%2f..") == "/a%2F..")
        #expect(RequestPath.forwardRaw("..%2fsecure") == "..%2Fsecure")
        #expect(RequestPath.forwardValue("..") == "%2E%2E")
        #expect(RequestPath.forwardValue("a/b") == "a%2Fb")
    }
}

@Suite(.serialized) struct UpstreamHardeningTests {
    @Test func anUnsolicitedSecondResponseIsNeverHandedToTheNextClient() async throws {
        // Each request gets its own answer, then a second one that no request asked for.
        let backend = try await RawBackend { head in
            RawBackend.echo(head) + RawBackend.response(body: "EXTRA-NOBODY-ASKED")
        }
        try await ProxyGateway.with(backend) { gateway, _ in
            let client = TestClient(port: gateway.port)
            var wrong: [String] = []
            for index in 0..<40 {
                let response = try await client.send(.GET, "\(gateway.base)/open/r\(index)")
                if response.status != 200 || !response.body.contains("/open/r\(index) ") {
                    wrong.append("\(index): \(response.status) \(response.body)")
                }
            }
            #expect(wrong.isEmpty, "answers went to the wrong request: \(wrong)")
        }
    }

    @Test func connectionsToOneBackendAreCappedAndRequestsWait() async throws {
        try await ProxyGateway.with(RawBackend(delay: .milliseconds(200))) { gateway, backend in
            let count = UpstreamPool.maximumConnectionsPerTarget + 72
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<count {
                    group.addTask {
                        let client = TestClient(port: gateway.port)
                        return try await client.send(.GET, "\(gateway.base)/open/c\(index)").status
                    }
                }
                var all: [Int] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.count == count)
            #expect(
                statuses.allSatisfy { $0 == 200 }, "\(Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count))")
            // One loop: at most the cap of connections to the backend at once, and all requests served.
            #expect(backend.mostConnections <= UpstreamPool.maximumConnectionsPerTarget)
            #expect(backend.received.count == count)
        }
    }
}

@Suite(.serialized) struct ClientHardeningTests {
    /// Short head and body timeouts; the idle timeout long, so that a busy machine's pause between connecting
    /// and sending is never taken for idleness.
    static let short = ServerLimits(
        headerTimeout: .milliseconds(600), bodyTimeout: .milliseconds(600), idleTimeout: .seconds(60),
        sendTimeout: .seconds(2), maximumInFlight: 4)
    /// A short idle timeout (long enough that connecting then sending at once is not idle).
    static let idle = ServerLimits(idleTimeout: .milliseconds(1500))

    @Test func slowHeadsAndSlowBodiesGet408AndAreClosed() async throws {
        try await ProxyGateway.with(RawBackend(), limits: Self.short) { gateway, backend in
            // A head that trickles in: 408, then closed.
            let slowHead = try await RawConnection(port: gateway.port)
            try await slowHead.send("GET \(gateway.base)/open/x HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            let answer = await slowHead.text(within: .seconds(20)) { $0.contains("\r\n\r\n") }
            #expect(statusOf(answer) == 408, "\(answer)")
            #expect(await closes(slowHead))
            // A body that stops part way: 408, then closed.
            let slowBody = try await RawConnection(port: gateway.port)
            try await slowBody.send(
                "POST \(gateway.base)/open/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n12345")
            let bodyAnswer = await slowBody.text(within: .seconds(20)) { $0.contains("\r\n\r\n") }
            #expect(statusOf(bodyAnswer) == 408, "\(bodyAnswer)")
            #expect(await closes(slowBody))
            #expect(backend.received.isEmpty)
        }
    }

    @Test func idleConnectionsAreClosed() async throws {
        try await ProxyGateway.with(RawBackend(), limits: Self.idle) { gateway, backend in
            // A connection that never sends anything, and one idle after a request: closed without a word.
            let silent = try await RawConnection(port: gateway.port)
            #expect(await closes(silent))
            let kept = try await RawConnection(port: gateway.port)
            try await kept.send("GET \(gateway.base)/open/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let served = await kept.text(within: .seconds(20)) { $0.contains("/open/x ") }
            #expect(statusOf(served) == 200, "\(served)")
            #expect(await closes(kept))
            #expect(await waitUntil { gateway.engine.openConnections == 0 })
        }
    }

    @Test func aRequestInFlightIsNotCutByTheIdleTimeout() async throws {
        try await ProxyGateway.with(RawBackend(delay: .seconds(4)), limits: Self.idle) { gateway, backend in
            let answer = try await rawExchange(
                port: gateway.port, "GET \(gateway.base)/open/slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            ) { $0.contains("/open/slow ") }
            #expect(statusOf(answer) == 200, "\(answer)")
        }
    }

    @Test func aClientThatDoesNotReadHasABoundedNumberOfRequestsInFlight() async throws {
        try await ProxyGateway.with(RawBackend(delay: .milliseconds(50)), limits: Self.short) { gateway, backend in
            let raw = try await RawConnection(port: gateway.port)
            let one = "GET \(gateway.base)/open/p HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            try await raw.send(String(repeating: one, count: 500))
            // The backend sees requests a few at a time: never more connections than the in-flight bound.
            let answered = await raw.text(within: .seconds(60)) {
                $0.components(separatedBy: "HTTP/1.1 200").count - 1 >= 500
            }
            #expect(answered.components(separatedBy: "HTTP/1.1 200").count - 1 == 500)
            #expect(backend.mostConnections <= Self.short.maximumInFlight)
            await raw.close()
        }
    }

    @Test func requestsWithoutOneHostAndConnectAreRefused() async throws {
        try await ProxyGateway.with(RawBackend()) { gateway, backend in
            let noHost = try await rawExchange(port: gateway.port, "GET \(gateway.base)/open/x HTTP/1.1\r\n\r\n")
            #expect(statusOf(noHost) == 400, "\(noHost)")
            #expect(noHost.contains("needs a Host header"))
            let twoHosts = try await rawExchange(
                port: gateway.port, "GET \(gateway.base)/open/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
            #expect(statusOf(twoHosts) == 400, "\(twoHosts)")
            let http10 = try await rawExchange(port: gateway.port, "GET \(gateway.base)/open/x HTTP/1.0\r\n\r\n")
            #expect(statusOf(http10) == 200, "\(http10)")
            let connect = try await RawConnection(port: gateway.port)
            try await connect.send("CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n")
            let connectAnswer = await connect.text { $0.contains("}") }
            #expect(statusOf(connectAnswer) == 405, "\(connectAnswer)")
            #expect(await closes(connect))
            #expect(backend.targets == ["/open/x"])
        }
    }

    @Test func headersTheConnectionHeaderNamesAreNotForwarded() async throws {
        try await ProxyGateway.with(RawBackend()) { gateway, backend in
            let answer = try await rawExchange(
                port: gateway.port,
                "GET \(gateway.base)/open/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive, X-Hop\r\nX-Hop: secret\r\nX-Kept: yes\r\n\r\n"
            )
            #expect(statusOf(answer) == 200)
            let head = try #require(backend.received.first).lowercased()
            #expect(!head.contains("x-hop"), "\(head)")
            #expect(head.contains("x-kept: yes"))
        }
    }
}

/// Whether the gateway closes `connection` (within a generous bound).
func closes(_ connection: RawConnection) async -> Bool {
    let closed = await waitUntil { !connection.isOpen }
    await connection.close()
    return closed
}

/// Waits for `condition`, up to `timeout`.
func waitUntil(_ timeout: Duration = .seconds(20), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// A quota store that takes its time, as a busy disk does.
final class SlowQuotaPersistence: QuotaPersistence {
    let reads = NIOLockedValueBox(0)
    let release = DispatchSemaphore(value: 0)
    func quotaUsed(plan: String, key: String, periodStart: String) throws -> Int {
        reads.withLockedValue { $0 += 1 }
        // Held until the test lets go (at most 20 s): as long as another request takes to be answered.
        _ = release.wait(timeout: .now() + 20)
        return 0
    }
    func saveQuotaUsed(_ used: Int, plan: String, key: String, periodStart: String) throws {}
    func dailyUsed(plan: String, key: String, day: String) throws -> Int { 0 }
    func addCounts(_ counts: [QuotaCount]) throws -> [QuotaCount] { counts }
}

@Suite(.serialized) struct BlockingWorkTests {
    @Test func aSlowQuotaReadDoesNotHoldOtherRequestsOnTheLoop() async throws {
        let control = try GatewayControl(location: ":memory:")
        let persistence = SlowQuotaPersistence()
        // One event loop: a blocking read on it would hold every other request.
        let engine = GatewayEngine(threads: 1, quotaPersistence: persistence)
        try await control.attach(engine)
        let port = try await engine.start(port: 0)
        try await withCleanup({ try? await engine.stop() }) {
            let api = try await control.createRestApi(name: "quota")
            for (path, keyed) in [("/keyed", true), ("/open", false)] {
                let resource = try await control.ensureResource(api: api.id, path: path)
                _ = try await control.putMethod(
                    api: api.id, resource: resource.id, httpMethod: "GET", apiKeyRequired: keyed)
                _ = try await control.putIntegration(
                    api: api.id, resource: resource.id, httpMethod: "GET",
                    integration: Integration(
                        type: .mock, requestTemplates: ["application/json": "{\"statusCode\": 200}"],
                        integrationResponses: ["200": IntegrationResponse(statusCode: "200")]))
            }
            _ = try await control.createDeployment(api: api.id, stageName: "test")
            let key = try await control.createApiKey(name: "k", enabled: true)
            let plan = try await control.createUsagePlan(
                name: "p", apiStages: [ApiStage(apiId: api.id, stage: "test")],
                quota: QuotaSettings(limit: 100, period: .day))
            _ = try await control.createUsagePlanKey(plan: plan.id, key: key.id)
            let base = "/restapis/\(api.id)/test/_user_request_"
            let order = NIOLockedValueBox<[String]>([])
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let response = try await TestClient(port: port).send(
                        .GET, base + "/keyed", headers: ["x-api-key": key.value])
                    #expect(response.status == 200)
                    order.withLockedValue { $0.append("keyed") }
                }
                group.addTask {
                    while persistence.reads.withLockedValue({ $0 }) == 0 {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    let response = try await TestClient(port: port).send(.GET, base + "/open")
                    #expect(response.status == 200)
                    order.withLockedValue { $0.append("open") }
                    persistence.release.signal()
                }
                try await group.waitForAll()
            }
            // The keyless request was answered while the keyed one's quota count was being read.
            #expect(order.withLockedValue { $0 } == ["open", "keyed"])
            #expect(persistence.reads.withLockedValue { $0 } == 1)
        }
    }
}
