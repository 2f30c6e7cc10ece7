import Foundation
import GatewayControl
import GatewayModel
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TestSupport
import Testing

@testable import GatewayEngine

/// A TCP connection that sends raw bytes and gathers whatever comes back.
final class RawConnection: Sendable {
    let channel: Channel
    let received: NIOLockedValueBox<ByteBuffer>
    let group: MultiThreadedEventLoopGroup

    init(port: Int) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let received = NIOLockedValueBox(ByteBuffer())
        self.group = group
        self.received = received
        channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(received: received))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }

    func send(_ text: String) async throws { try await channel.writeAndFlush(ByteBuffer(string: text)).get() }

    func send(_ buffer: ByteBuffer) async throws { try await channel.writeAndFlush(buffer).get() }

    /// What came back once `condition` holds for it, or after `timeout`.
    func text(within timeout: Duration = .seconds(5), until condition: (String) -> Bool) async -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let text = received.withLockedValue { String(buffer: $0) }
            if condition(text) { return text }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return received.withLockedValue { String(buffer: $0) }
    }

    var isOpen: Bool { channel.isActive }

    func close() async {
        try? await channel.close().get()
        try? await group.shutdownGracefully()
    }

    final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let received: NIOLockedValueBox<ByteBuffer>
        init(received: NIOLockedValueBox<ByteBuffer>) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received.withLockedValue { _ = $0.writeBuffer(&buffer) }
        }
    }
}

@Suite(.serialized) struct ServerFaultTests {
    @Test func malformedRequestGets400AndTheGatewayKeepsServing() async throws {
        let gateway = try await Walkthrough.start()
        try await withCleanup({ await gateway.stop() }) {
            let raw = try await RawConnection(port: gateway.port)
            try await raw.send("THIS IS NOT HTTP\r\n\r\n")
            let answer = await raw.text { $0.contains("\r\n\r\n") }
            #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
            await raw.close()
            #expect(try await gateway.get("/api/pictures/all").status == 200)
        }
    }

    @Test func bodiesOverTenMegabytesGet413() async throws {
        let gateway = try await Walkthrough.start()
        try await withCleanup({ await gateway.stop() }) {
            let big = String(repeating: "x", count: 20 * 1024 * 1024)
            let response = try await gateway.client.send(
                .POST, gateway.invokePath("/api/pictures"), headers: ["Content-Type": "application/json"], body: big)
            #expect(response.status == 413)
            #expect(response.body == "{\"message\":\"Request Too Large\"}")
            #expect(gateway.backend.apiRequestCount == 0)
            // A body just under the limit goes through.
            let underLimit =
                "{\"name\": \"big.jpg\", \"padding\": \"" + String(repeating: "y", count: 9 * 1024 * 1024) + "\"}"
            let accepted = try await TestClient(port: gateway.port).send(
                .POST, gateway.invokePath("/api/pictures"), headers: ["Content-Type": "application/json"],
                body: underLimit)
            #expect(accepted.status == 201, "\(accepted.body) \(accepted.headers)")
            #expect(try await gateway.get("/api/pictures/all").status == 200)
        }
    }

    @Test func headerValuesOver10240BytesAreRefused() async throws {
        let gateway = try await Walkthrough.start()
        try await withCleanup({ await gateway.stop() }) {
            let response = try await gateway.get(
                "/api/pictures/all", headers: ["Cookie": String(repeating: "c", count: 10_300)])
            #expect(response.status == 431)
            #expect(response.body == "{\"message\":\"HTTP header is larger than 10240 bytes.\"}")
            #expect(gateway.backend.apiRequestCount == 0)
            #expect(
                try await TestClient(port: gateway.port).send(
                    .GET, gateway.invokePath("/api/pictures/all"),
                    headers: ["Cookie": String(repeating: "c", count: 9_000)]
                ).status == 200)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let slow = try await ScriptedServer { _ in .delay(milliseconds: 300, then: "{\"slow\":true}") }
        try await withCleanup({ await slow.stop() }) {
            let control = try GatewayControl(location: ":memory:")
            let engine = control.makeEngine(threads: 1)
            try await control.attach(engine)
            let port = try await engine.start(port: 0)
            try await withCleanup({ try? await engine.stop() }) {
                let api = try await control.createRestApi(name: "order")
                let slowResource = try await control.ensureResource(api: api.id, path: "/slow")
                _ = try await control.putMethod(api: api.id, resource: slowResource.id, httpMethod: "GET")
                _ = try await control.putIntegration(
                    api: api.id, resource: slowResource.id, httpMethod: "GET",
                    integration: Integration(type: .httpProxy, httpMethod: "GET", uri: "http://127.0.0.1:\(slow.port)/")
                )
                let fast = try await control.ensureResource(api: api.id, path: "/fast")
                _ = try await control.putMethod(api: api.id, resource: fast.id, httpMethod: "GET")
                _ = try await control.putIntegration(
                    api: api.id, resource: fast.id, httpMethod: "GET",
                    integration: Integration(
                        type: .mock, requestTemplates: ["application/json": "{\"statusCode\": 200}"],
                        integrationResponses: [
                            "200": IntegrationResponse(
                                statusCode: "200", responseTemplates: ["application/json": "{\"fast\":true}"])
                        ]))
                _ = try await control.createDeployment(api: api.id, stageName: "test")
                let raw = try await RawConnection(port: port)
                let base = "/restapis/\(api.id)/test/_user_request_"
                try await raw.send(
                    "GET \(base)/slow HTTP/1.1\r\nHost: x\r\n\r\nGET \(base)/fast HTTP/1.1\r\nHost: x\r\n\r\n")
                let answer = await raw.text { $0.contains("{\"slow\":true}") && $0.contains("{\"fast\":true}") }
                let slowAt = try #require(answer.range(of: "{\"slow\":true}"))
                let fastAt = try #require(answer.range(of: "{\"fast\":true}"))
                #expect(slowAt.lowerBound < fastAt.lowerBound, "answers out of order: \(answer)")
                await raw.close()
            }
        }
    }

    @Test func tenThousandIdleConnectionsDoNotStopService() async throws {
        let gateway = try await Walkthrough.start()
        try await withCleanup({ await gateway.stop() }) {
            // The idle connections come from another process, so that this one holds only the server's side.
            let count = 10_000
            let script = """
                import socket, sys
                socks = []
                for i in range(\(count)):
                    socks.append(socket.create_connection(("127.0.0.1", \(gateway.port))))
                print("open", len(socks), flush=True)
                sys.stdin.read()
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script]
            let output = Pipe()
            let input = Pipe()
            process.standardOutput = output
            process.standardInput = input
            try process.run()
            defer {
                try? input.fileHandleForWriting.close()
                process.waitUntilExit()
            }
            var line = ""
            while !line.contains("\n"), let chunk = readChunk(output.fileHandleForReading.fileDescriptor) {
                line += String(decoding: chunk, as: UTF8.self)
            }
            #expect(line.hasPrefix("open \(count)"), "\(line)")
            let response = try await gateway.get("/api/pictures/all")
            #expect(response.status == 200)
            #expect(
                try await TestClient(port: gateway.port).send(.GET, gateway.invokePath("/api/pictures/1")).status == 200
            )
        }
    }
}
