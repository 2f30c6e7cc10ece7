import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A backend for fault tests: each request is answered as `behaviour` says.
final class ScriptedServer: Sendable {
    enum Behaviour: Sendable {
        case respond(status: Int, headers: [(String, String)], body: String)
        case delay(milliseconds: Int64, then: String)
        /// Sends the head and part of the body, then closes the connection.
        case closeMidResponse
        /// Answers with bytes that are not HTTP.
        case garbage
        /// Answers 200 with what it received: `{"method":…,"uri":…,"contentType":…,"body":…,"base64":…}`
        /// (`base64`: the body's bytes).
        case echo
        /// Answers 200 with these bytes and this Content-Type.
        case bytes(contentType: String, [UInt8])
    }

    let channel: Channel
    let group: MultiThreadedEventLoopGroup
    private let counter: NIOLockedValueBox<Int>
    var port: Int { channel.localAddress!.port! }

    /// - Parameter garbage: answer every connection with bytes that are not HTTP.
    init(
        garbage: Bool = false, port: Int = 0,
        _ behaviour: @escaping @Sendable (HTTPRequestHead) -> Behaviour = { _ in .garbage }
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        let counter = NIOLockedValueBox(0)
        self.counter = counter
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if garbage {
                        try channel.pipeline.syncOperations.addHandler(GarbageHandler())
                    } else {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(Handler(behaviour: behaviour, counter: counter))
                    }
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
    }

    /// A server on a given port (to bring a stopped one back).
    static func on(port: Int, _ behaviour: @escaping @Sendable (HTTPRequestHead) -> Behaviour) async throws
        -> ScriptedServer
    {
        try await ScriptedServer(port: port, behaviour)
    }

    var requestCount: Int { counter.withLockedValue { $0 } }

    final class GarbageHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "this is not HTTP at all\r\n\r\n"))).whenComplete {
                _ in
                channel.close(promise: nil)
            }
        }
    }

    func stop() async {
        try? await channel.close().get()
        try? await group.shutdownGracefully()
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let behaviour: @Sendable (HTTPRequestHead) -> Behaviour
        let counter: NIOLockedValueBox<Int>
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(behaviour: @escaping @Sendable (HTTPRequestHead) -> Behaviour, counter: NIOLockedValueBox<Int>) {
            self.behaviour = behaviour
            self.counter = counter
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body.clear()
            case .body(var part): body.writeBuffer(&part)
            case .end:
                guard let head else { return }
                counter.withLockedValue { $0 += 1 }
                let channel = context.channel
                switch behaviour(head) {
                case .respond(let status, let headers, let body):
                    Handler.write(channel, status: status, headers: headers, body: body)
                case .delay(let milliseconds, let body):
                    channel.eventLoop.scheduleTask(in: .milliseconds(milliseconds)) {
                        Handler.write(channel, status: 200, headers: [], body: body)
                    }
                case .closeMidResponse:
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Length", value: "1000")
                    channel.write(
                        HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)),
                        promise: nil)
                    channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "{\"partial\":"))))
                        .whenComplete { _ in
                            channel.close(promise: nil)
                        }
                case .garbage:
                    channel.close(promise: nil)
                case .bytes(let contentType, let bytes):
                    Handler.write(
                        channel, status: 200, headers: [("Content-Type", contentType)], body: ByteBuffer(bytes: bytes))
                case .echo:
                    let fields: [String: String] = [
                        "method": head.method.rawValue, "uri": head.uri,
                        "contentType": head.headers.first(name: "Content-Type") ?? "", "body": String(buffer: body),
                        "header": head.headers.first(name: "X-Mapped") ?? "",
                        "base64": Data(body.readableBytesView).base64EncodedString(),
                    ]
                    let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data()
                    Handler.write(channel, status: 200, headers: [], body: String(decoding: data, as: UTF8.self))
                }
            }
        }

        static func write(_ channel: Channel, status: Int, headers: [(String, String)], body: String) {
            write(channel, status: status, headers: headers, body: ByteBuffer(string: body))
        }

        static func write(_ channel: Channel, status: Int, headers: [(String, String)], body: ByteBuffer) {
            var httpHeaders = HTTPHeaders(headers)
            httpHeaders.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
            if httpHeaders.first(name: "Content-Type") == nil {
                httpHeaders.add(name: "Content-Type", value: "application/json")
            }
            channel.write(
                HTTPServerResponsePart.head(
                    HTTPResponseHead(
                        version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: httpHeaders)),
                promise: nil)
            channel.write(HTTPServerResponsePart.body(.byteBuffer(body)), promise: nil)
            channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
        }
    }
}
