import NIOCore
import NIOHTTP1
import NIOPosix

// usage: nio-floor fixed PORT            answers every request with a small JSON body
//        nio-floor proxy PORT BACKEND    passes every request to BACKEND (a port on 127.0.0.1) over kept-alive
//                                        connections of the same event loop, and its answer back
// SwiftNIO's own HTTP/1 server pipeline and encoders, as an application built the usual way would use them; one
// event loop per core.

let arguments = CommandLine.arguments
guard arguments.count >= 3, let port = Int(arguments[2]), arguments[1] == "fixed" || arguments.count == 4 else {
    print("usage: nio-floor fixed PORT | nio-floor proxy PORT BACKEND_PORT")
    exit(2)
}
let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let fixedBody = ByteBuffer(string: #"{"pictures":[{"id":"1","name":"sunrise.jpg"}]}"#)

/// Answers each request with `fixedBody`.
final class FixedHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(fixedBody.readableBytes))
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(fixedBody))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// The kept-alive backend connections of one event loop (touched on that loop only).
final class Pool: @unchecked Sendable {  // every member is touched on its event loop only
    let loop: EventLoop
    let backend: Int
    var idle: [(Channel, BackendHandler)] = []

    init(loop: EventLoop, backend: Int) {
        self.loop = loop
        self.backend = backend
    }

    func send(_ head: HTTPRequestHead, then answer: @escaping (HTTPResponseHead, ByteBuffer?) -> Void) {
        if let (channel, handler) = idle.popLast() {
            handler.exchange(head, on: channel, pool: self, then: answer)
            return
        }
        let handler = BackendHandler()
        let then = NIOLoopBound(answer, eventLoop: loop)
        ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: "127.0.0.1", port: backend)
            .whenSuccess { channel in handler.exchange(head, on: channel, pool: self, then: then.value) }
    }
}

/// One backend connection: sends a request, gathers its answer, then goes back to the pool.
final class BackendHandler: ChannelInboundHandler, @unchecked Sendable {  // touched on its event loop only
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private var answer: ((HTTPResponseHead, ByteBuffer?) -> Void)?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    private weak var pool: Pool?
    private var channel: Channel?

    func exchange(
        _ request: HTTPRequestHead, on channel: Channel, pool: Pool,
        then answer: @escaping (HTTPResponseHead, ByteBuffer?) -> Void
    ) {
        self.answer = answer
        self.pool = pool
        self.channel = channel
        var forwarded = request
        forwarded.headers.replaceOrAdd(name: "Host", value: "127.0.0.1:\(pool.backend)")
        channel.write(HTTPClientRequestPart.head(forwarded), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let received):
            head = received
            body = nil
        case .body(var chunk):
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
        case .end:
            guard let head, let answer, let channel else { return }
            self.answer = nil
            pool?.idle.append((channel, self))
            answer(head, body)
        }
    }
}

/// Passes each request on to the backend through the pool of its event loop.
final class ProxyHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let pool: Pool
    private var head: HTTPRequestHead?

    init(pool: Pool) { self.pool = pool }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let received): head = received
        case .body: break
        case .end:
            guard let head else { return }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            pool.send(head) { responseHead, body in
                let (handler, context) = bound.value
                var headers = HTTPHeaders()
                for (name, value) in responseHead.headers
                where name.lowercased() != "connection" && name.lowercased() != "keep-alive" {
                    headers.add(name: name, value: value)
                }
                context.write(
                    handler.wrapOutboundOut(
                        .head(HTTPResponseHead(version: .http1_1, status: responseHead.status, headers: headers))),
                    promise: nil)
                if let body { context.write(handler.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
                context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

var pools: [ObjectIdentifier: Pool] = [:]
if arguments[1] == "proxy", let backend = Int(arguments[3]) {
    for loop in group.makeIterator() { pools[ObjectIdentifier(loop)] = Pool(loop: loop, backend: backend) }
}
let loopPools = pools
let channel = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            if let pool = loopPools[ObjectIdentifier(channel.eventLoop)] {
                try channel.pipeline.syncOperations.addHandler(ProxyHandler(pool: pool))
            } else {
                try channel.pipeline.syncOperations.addHandler(FixedHandler())
            }
        }
    }
    .bind(host: "127.0.0.1", port: port).wait()
try channel.closeFuture.wait()
