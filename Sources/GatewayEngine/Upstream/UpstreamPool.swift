import NIOCore
import NIOHTTP1
import NIOPosix

/// A request to a backend, ready to send.
struct UpstreamRequest: Sendable {
    var method: HTTPMethod
    /// Path and query, as sent on the request line.
    var target: String
    var headers: HTTPHeaders
    var body: ByteBuffer?
}

/// A backend's answer.
struct UpstreamResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: ByteBuffer
}

/// Why a backend call failed.
enum UpstreamError: Error, Equatable {
    case timeout
    case connectFailed(String)
    /// The connection closed before any response: the request may be retried on a new one.
    case connectionClosed
    /// The connection closed part way through a response.
    case closedMidResponse
    case responseTooLarge
    case malformedResponse(String)
}

/// Keep-alive connections to backends, one set per event loop: a request reuses an idle connection of the
/// loop it arrived on, so a proxied call never changes thread.
final class UpstreamPool: Sendable {
    /// The most a backend response may carry.
    static let maximumResponseSize = 10 * 1024 * 1024
    /// Idle connections kept per loop and backend.
    static let maximumIdlePerTarget = 256

    let group: EventLoopGroup
    private let loops: [ObjectIdentifier: LoopConnections]

    init(group: EventLoopGroup) {
        self.group = group
        var loops: [ObjectIdentifier: LoopConnections] = [:]
        for loop in group.makeIterator() { loops[ObjectIdentifier(loop)] = LoopConnections(eventLoop: loop) }
        self.loops = loops
    }

    /// Sends `request` to `host:port`, failing with `.timeout` after `timeout`.
    func execute(
        _ request: UpstreamRequest, host: String, port: Int, on eventLoop: EventLoop, timeout: TimeAmount
    ) -> EventLoopFuture<UpstreamResponse> {
        guard let connections = loops[ObjectIdentifier(eventLoop)] else {
            let loop = group.next()
            return loop.flatSubmit { self.execute(request, host: host, port: port, on: loop, timeout: timeout) }
        }
        let deadline = NIODeadline.now() + timeout
        guard eventLoop.inEventLoop else {
            return eventLoop.flatSubmit {
                connections.execute(request, host: host, port: port, deadline: deadline, retryStale: true)
            }
        }
        return connections.execute(request, host: host, port: port, deadline: deadline, retryStale: true)
    }

    /// Closes every idle connection.
    func shutdown() -> EventLoopFuture<Void> {
        let futures = loops.values.map { connections in
            connections.eventLoop.flatSubmit { connections.closeAll() }
        }
        return EventLoopFuture.andAllComplete(futures, on: group.next())
    }
}

/// The connections of one event loop; only ever touched on that loop.
final class LoopConnections: @unchecked Sendable {
    let eventLoop: EventLoop
    private var idle: [String: [Channel]] = [:]

    init(eventLoop: EventLoop) { self.eventLoop = eventLoop }

    func execute(
        _ request: UpstreamRequest, host: String, port: Int, deadline: NIODeadline, retryStale: Bool
    ) -> EventLoopFuture<UpstreamResponse> {
        eventLoop.preconditionInEventLoop()
        let key = "\(host):\(port)"
        if let channel = takeIdle(key) {
            return send(request, on: channel, key: key, deadline: deadline).flatMapError { error in
                // A kept-alive connection the backend closed meanwhile: try once on a fresh one.
                if retryStale, error as? UpstreamError == .connectionClosed {
                    return self.execute(request, host: host, port: port, deadline: deadline, retryStale: false)
                }
                return self.eventLoop.makeFailedFuture(error)
            }
        }
        return connect(host: host, port: port, deadline: deadline).flatMap { channel in
            self.send(request, on: channel, key: key, deadline: deadline)
        }
    }

    private func takeIdle(_ key: String) -> Channel? {
        while var channels = idle[key], let channel = channels.popLast() {
            idle[key] = channels
            if channel.isActive { return channel }
        }
        return nil
    }

    private func connect(host: String, port: Int, deadline: NIODeadline) -> EventLoopFuture<Channel> {
        let timeout = deadline - NIODeadline.now()
        guard timeout > .zero else { return eventLoop.makeFailedFuture(UpstreamError.timeout) }
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(UpstreamHandler())
                }
            }
            .connect(host: host, port: port)
            .flatMapErrorThrowing { error in
                if case ChannelError.connectTimeout = error { throw UpstreamError.timeout }
                throw UpstreamError.connectFailed(String(describing: error))
            }
    }

    private func send(_ request: UpstreamRequest, on channel: Channel, key: String, deadline: NIODeadline)
        -> EventLoopFuture<UpstreamResponse>
    {
        let promise = eventLoop.makePromise(of: UpstreamResponse.self)
        let timeout = eventLoop.scheduleTask(deadline: deadline) {
            promise.fail(UpstreamError.timeout)
            channel.close(promise: nil)
        }
        channel.writeAndFlush(UpstreamExchange(request: request, promise: promise), promise: nil)
        return promise.futureResult.map { response in
            timeout.cancel()
            let closing = response.headers[canonicalForm: "connection"].contains { $0.lowercased() == "close" }
            if closing || !channel.isActive {
                channel.close(promise: nil)
            } else {
                self.release(channel, key: key)
            }
            return response
        }.flatMapErrorThrowing { error in
            timeout.cancel()
            channel.close(promise: nil)
            throw error
        }
    }

    private func release(_ channel: Channel, key: String) {
        var channels = idle[key] ?? []
        guard channels.count < UpstreamPool.maximumIdlePerTarget else {
            channel.close(promise: nil)
            return
        }
        channels.append(channel)
        idle[key] = channels
    }

    func closeAll() -> EventLoopFuture<Void> {
        let channels = idle.values.flatMap { $0 }
        idle.removeAll()
        return EventLoopFuture.andAllComplete(channels.map { $0.close() }, on: eventLoop)
    }
}

/// A request and the promise its response completes.
struct UpstreamExchange {
    var request: UpstreamRequest
    var promise: EventLoopPromise<UpstreamResponse>
}

/// Sends one request at a time on a client connection and gathers the response.
final class UpstreamHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = UpstreamExchange
    typealias OutboundOut = HTTPClientRequestPart

    private var pending: EventLoopPromise<UpstreamResponse>?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        pending = exchange.promise
        head = nil
        body = nil
        var headers = exchange.request.headers
        if let body = exchange.request.body {
            headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        } else if exchange.request.method == .POST || exchange.request.method == .PUT
            || exchange.request.method == .PATCH
        {
            headers.replaceOrAdd(name: "Content-Length", value: "0")
        }
        let requestHead = HTTPRequestHead(
            version: .http1_1, method: exchange.request.method, uri: exchange.request.target, headers: headers)
        context.write(wrapOutboundOut(.head(requestHead)), promise: nil)
        if let body = exchange.request.body, body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            head = responseHead
        case .body(var chunk):
            if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
            if (body?.readableBytes ?? 0) > UpstreamPool.maximumResponseSize {
                fail(UpstreamError.responseTooLarge)
                context.close(promise: nil)
            }
        case .end:
            guard let head, let promise = pending else { return }
            pending = nil
            var headers = head.headers
            if !head.isKeepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
            promise.succeed(UpstreamResponse(status: head.status, headers: headers, body: body ?? ByteBuffer()))
            self.head = nil
            self.body = nil
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(head == nil ? UpstreamError.connectionClosed : UpstreamError.closedMidResponse)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is HTTPParserError {
            fail(UpstreamError.malformedResponse(String(describing: error)))
        } else {
            fail(head == nil ? UpstreamError.connectionClosed : UpstreamError.closedMidResponse)
        }
        context.close(promise: nil)
    }

    private func fail(_ error: UpstreamError) {
        guard let promise = pending else { return }
        pending = nil
        promise.fail(error)
    }
}
