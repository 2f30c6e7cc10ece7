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
/// loop it arrived on, so a proxied call never changes thread. Each loop opens at most
/// `maximumConnectionsPerTarget` connections to one backend; further requests wait in order for one to come
/// free (until their integration timeout). Idle connections are closed after `idleTimeout`.
final class UpstreamPool: Sendable {
    /// The most a backend response may carry.
    static let maximumResponseSize = 10 * 1024 * 1024
    /// Connections open at once per loop and backend (busy and idle together).
    static let maximumConnectionsPerTarget = 128
    /// How long a pooled connection may sit unused before it is closed. Backends commonly close idle connections
    /// after 5–75 s; closing ours first keeps the retry on a stale connection rare.
    static let idleTimeout: TimeAmount = .seconds(30)
    /// How often idle connections are looked over.
    static let sweepInterval: TimeAmount = .seconds(5)

    let group: EventLoopGroup
    private let loops: [ObjectIdentifier: LoopConnections]

    init(group: EventLoopGroup, maximumConnectionsPerTarget: Int = UpstreamPool.maximumConnectionsPerTarget) {
        self.group = group
        var loops: [ObjectIdentifier: LoopConnections] = [:]
        for loop in group.makeIterator() {
            loops[ObjectIdentifier(loop)] = LoopConnections(
                eventLoop: loop, maximumPerTarget: maximumConnectionsPerTarget)
        }
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

    /// Connections open now to `host:port`, over all loops (busy and idle), and requests waiting for one.
    func openConnections(host: String, port: Int) async -> (open: Int, waiting: Int) {
        var total = (open: 0, waiting: 0)
        for connections in loops.values {
            if let counts = try? await connections.eventLoop.submit({ connections.counts("\(host):\(port)") }).get() {
                total.open += counts.open
                total.waiting += counts.waiting
            }
        }
        return total
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
final class LoopConnections: @unchecked Sendable {  // every member is touched on `eventLoop` only
    let eventLoop: EventLoop
    let maximumPerTarget: Int

    /// One backend's connections on this loop.
    private struct Target {
        var idle: [(channel: UpstreamConnection, since: NIODeadline)] = []
        /// Connections open or being opened, busy and idle.
        var open = 0
        /// Requests waiting for a connection, oldest first.
        var waiting = CircularBuffer<Waiter>()
    }

    private struct Waiter {
        var deadline: NIODeadline
        var promise: EventLoopPromise<UpstreamConnection?>
    }

    private var targets: [String: Target] = [:]
    private var sweeper: RepeatedTask?

    init(eventLoop: EventLoop, maximumPerTarget: Int) {
        self.eventLoop = eventLoop
        self.maximumPerTarget = maximumPerTarget
    }

    func counts(_ key: String) -> (open: Int, waiting: Int) {
        (targets[key]?.open ?? 0, targets[key]?.waiting.count ?? 0)
    }

    func execute(
        _ request: UpstreamRequest, host: String, port: Int, deadline: NIODeadline, retryStale: Bool
    ) -> EventLoopFuture<UpstreamResponse> {
        eventLoop.preconditionInEventLoop()
        let key = "\(host):\(port)"
        // A kept-alive connection the backend closed meanwhile: `send` tries once more on a fresh one.
        let retry = retryStale ? Retry(host: host, port: port) : nil
        // The common case, an idle connection at hand, takes no detour through a future.
        if let channel = takeIdle(key) {
            return send(request, on: channel, key: key, deadline: deadline, retry: retry)
        }
        return lease(key, host: host, port: port, deadline: deadline).flatMap { channel, reused in
            self.send(request, on: channel, key: key, deadline: deadline, retry: reused ? retry : nil)
        }
    }

    /// Where to send a request again when its kept-alive connection turns out to be closed.
    private struct Retry {
        var host: String
        var port: Int
    }

    /// A new connection when fewer than the maximum are open, else the next one released (waiting in order, until
    /// `deadline`). `reused` tells a kept-alive connection from a new one. (Idle ones are taken before this.)
    private func lease(_ key: String, host: String, port: Int, deadline: NIODeadline) -> EventLoopFuture<
        (UpstreamConnection, reused: Bool)
    > {
        if (targets[key]?.open ?? 0) < maximumPerTarget {
            targets[key, default: Target()].open += 1
            return open(key, host: host, port: port, deadline: deadline)
        }
        // Every connection is busy: wait for one to be released, or for a slot to open.
        let promise = eventLoop.makePromise(of: UpstreamConnection?.self)
        targets[key, default: Target()].waiting.append(Waiter(deadline: deadline, promise: promise))
        let timer = eventLoop.scheduleTask(deadline: deadline) { promise.fail(UpstreamError.timeout) }
        return promise.futureResult.flatMap { channel in
            timer.cancel()
            if let channel { return self.eventLoop.makeSucceededFuture((channel, true)) }
            // A slot opened (a connection closed): this waiter has it.
            return self.open(key, host: host, port: port, deadline: deadline)
        }
    }

    /// Connects in a slot already counted in `open`; a connection that cannot be made gives its slot back.
    private func open(_ key: String, host: String, port: Int, deadline: NIODeadline) -> EventLoopFuture<
        (UpstreamConnection, reused: Bool)
    > {
        connect(host: host, port: port, deadline: deadline).map { ($0, false) }.flatMapErrorThrowing { error in
            self.closed(key)
            throw error
        }
    }

    private func takeIdle(_ key: String) -> UpstreamConnection? {
        while let (channel, _) = targets[key]?.idle.popLast() {
            if channel.isReusable { return channel }
            channel.close(promise: nil)
        }
        return nil
    }

    private func connect(host: String, port: Int, deadline: NIODeadline) -> EventLoopFuture<UpstreamConnection> {
        let timeout = deadline - NIODeadline.now()
        guard timeout > .zero else { return eventLoop.makeFailedFuture(UpstreamError.timeout) }
        let key = "\(host):\(port)"
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Header bytes that are not UTF-8 pass through the HTTP encoder and decoder unchanged.
                    let escaper = HeadEscaper()
                    try channel.pipeline.syncOperations.addHandler(escaper)
                    // Requests go out as the bytes `UpstreamHandler` encodes; answers are read by NIO's decoder.
                    try channel.pipeline.syncOperations.addHandler(UpstreamRequestBytes())
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                    let handler = UpstreamHandler()
                    escaper.framing = handler
                    try channel.pipeline.syncOperations.addHandler(handler, name: UpstreamHandler.name)
                }
            }
            .connect(host: host, port: port)
            .flatMapThrowing { channel in
                // However it ends, a closed connection frees its slot for the next waiter.
                channel.closeFuture.hop(to: self.eventLoop).whenComplete { _ in self.closed(key) }
                return UpstreamConnection(
                    channel: channel, handler: try channel.pipeline.syncOperations.handler(type: UpstreamHandler.self))
            }
            .flatMapErrorThrowing { error in
                if case ChannelError.connectTimeout = error { throw UpstreamError.timeout }
                throw UpstreamError.connectFailed(String(describing: error))
            }
    }

    /// A connection to `key` closed: its slot goes to the oldest waiter still waiting.
    private func closed(_ key: String) {
        guard var target = targets[key] else { return }
        target.open = max(0, target.open - 1)
        target.idle.removeAll { !$0.channel.isActive }
        while let waiter = target.waiting.popFirst() {
            guard waiter.deadline > .now() else {
                waiter.promise.fail(UpstreamError.timeout)
                continue
            }
            target.open += 1
            targets[key] = target
            waiter.promise.succeed(nil)
            return
        }
        if target.open == 0 && target.idle.isEmpty {
            targets[key] = nil
        } else {
            targets[key] = target
        }
    }

    private func send(
        _ request: UpstreamRequest, on channel: UpstreamConnection, key: String, deadline: NIODeadline, retry: Retry?
    ) -> EventLoopFuture<UpstreamResponse> {
        let promise = eventLoop.makePromise(of: UpstreamResponse.self)
        channel.arm(deadline) {
            promise.fail(UpstreamError.timeout)
            channel.close(promise: nil)
        }
        channel.channel.writeAndFlush(UpstreamExchange(request: request, promise: promise), promise: nil)
        // One step, not a map and a recovery: this runs for every proxied request.
        let answered = eventLoop.makePromise(of: UpstreamResponse.self)
        promise.futureResult.whenComplete { result in
            channel.disarm()
            switch result {
            case .success(let response):
                if !channel.isReusable || LoopConnections.asksToClose(response.headers) {
                    channel.close(promise: nil)
                } else {
                    self.release(channel, key: key)
                }
                answered.succeed(response)
            case .failure(let error):
                channel.close(promise: nil)
                if let retry, error as? UpstreamError == .connectionClosed {
                    self.execute(request, host: retry.host, port: retry.port, deadline: deadline, retryStale: false)
                        .cascade(to: answered)
                } else {
                    answered.fail(error)
                }
            }
        }
        return answered.futureResult
    }

    /// Whether a response's `Connection` header says `close`.
    static func asksToClose(_ headers: HTTPHeaders) -> Bool {
        for (name, value) in headers where LoopConnections.connection.contains(name) {
            if value.utf8.count == 10 { continue }  // `keep-alive`, nearly always
            for token in value.split(separator: ",")
            where token.split(whereSeparator: { $0 == " " || $0 == "\t" }).first?.lowercased() == "close" {
                return true
            }
        }
        return false
    }

    private static let connection = HeaderNameSet(["connection"])

    /// A connection done with its exchange: to the oldest waiter, else into the idle set.
    private func release(_ channel: UpstreamConnection, key: String) {
        // Changed in place: a copy of the target would copy its idle list on every release.
        guard targets[key] != nil else {
            channel.close(promise: nil)
            return
        }
        while let waiter = targets[key]!.waiting.popFirst() {
            guard waiter.deadline > .now() else {
                waiter.promise.fail(UpstreamError.timeout)
                continue
            }
            waiter.promise.succeed(channel)
            return
        }
        targets[key]!.idle.append((channel, .now()))
        if sweeper == nil {
            sweeper = eventLoop.scheduleRepeatedTask(
                initialDelay: UpstreamPool.sweepInterval, delay: UpstreamPool.sweepInterval
            ) { [weak self] _ in self?.closeIdle(olderThan: UpstreamPool.idleTimeout) }
        }
    }

    /// Closes connections idle for longer than `age`.
    func closeIdle(olderThan age: TimeAmount) {
        let limit = NIODeadline.now() - age
        for (key, target) in targets {
            var kept = target
            kept.idle.removeAll { entry in
                guard entry.since < limit else { return false }
                entry.channel.close(promise: nil)
                return true
            }
            targets[key] = kept
        }
    }

    func closeAll() -> EventLoopFuture<Void> {
        sweeper?.cancel()
        sweeper = nil
        let channels = targets.values.flatMap { $0.idle.map(\.channel) }
        for target in targets.values {
            for waiter in target.waiting { waiter.promise.fail(UpstreamError.connectionClosed) }
        }
        targets.removeAll()
        return EventLoopFuture.andAllComplete(channels.map { $0.channel.close() }, on: eventLoop)
    }
}

/// A kept-alive backend connection with its handler, so that whether it may carry another request is known
/// without looking through its pipeline. Only ever touched on its event loop.
final class UpstreamConnection: @unchecked Sendable {  // confined to the loop of `channel`
    let channel: Channel
    let handler: UpstreamHandler

    init(channel: Channel, handler: UpstreamHandler) {
        self.channel = channel
        self.handler = handler
    }

    var isActive: Bool { channel.isActive }

    /// Whether it may carry another request: open, idle, and it has not broken the one-answer-per-request rule.
    var isReusable: Bool { channel.isActive && !handler.poisoned && !handler.busy }

    func close(promise: EventLoopPromise<Void>?) {
        timer?.cancel()
        timer = nil
        checkAt = nil
        channel.close(promise: promise)
    }

    // The exchange's timeout. One check is scheduled per connection and moves itself later when it finds a later
    // deadline, rather than a task scheduled and cancelled for every request a kept-alive connection carries.
    private var deadline: NIODeadline?
    private var expire: (@Sendable () -> Void)?
    private var checkAt: NIODeadline?
    private var timer: Scheduled<Void>?

    /// Runs `expire` at `deadline` unless `disarm` is called first.
    func arm(_ deadline: NIODeadline, _ expire: @escaping @Sendable () -> Void) {
        self.deadline = deadline
        self.expire = expire
        if let checkAt, checkAt <= deadline { return }
        timer?.cancel()
        schedule(at: deadline)
    }

    func disarm() {
        deadline = nil
        expire = nil
    }

    private func schedule(at when: NIODeadline) {
        checkAt = when
        timer = channel.eventLoop.scheduleTask(deadline: when) { self.check() }
    }

    private func check() {
        timer = nil
        checkAt = nil
        guard let deadline, let expire else { return }
        if deadline > .now() {
            schedule(at: deadline)
        } else {
            disarm()
            expire()
        }
    }
}

/// A request and the promise its response completes.
struct UpstreamExchange {
    var request: UpstreamRequest
    var promise: EventLoopPromise<UpstreamResponse>
}

/// Sends one request at a time on a client connection and gathers the response. Answers are matched to
/// requests strictly: a response that arrives when no request is outstanding (an unsolicited or extra one), or
/// before the request was fully sent, poisons the connection: it is closed and never reused, so no client is
/// ever handed an answer meant for another.
final class UpstreamHandler: ChannelDuplexHandler, HeadFraming {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = UpstreamExchange
    typealias OutboundOut = HTTPClientRequestPart

    static let name = "gatehouse-upstream"

    /// Body bytes still to come of the response being read, when its length is known.
    private var bodyRemaining: Int?

    /// Where the decoder before this handler stands, for the `HeadEscaper` before it.
    var framing: MessageFraming { head != nil ? .body(remaining: bodyRemaining) : .head }

    private var pending: EventLoopPromise<UpstreamResponse>?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    /// Whether the current request's last byte is written.
    private var requestSent = false
    /// Set once the connection broke the one-response-per-request rule.
    private(set) var poisoned = false
    /// Whether a request is outstanding.
    var busy: Bool { pending != nil }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard !poisoned, pending == nil else {
            exchange.promise.fail(UpstreamError.connectionClosed)
            promise?.fail(UpstreamError.connectionClosed)
            return
        }
        let request = exchange.request
        let encoded: (head: ByteBuffer, body: ByteBuffer?)
        do {
            encoded = try RequestEncoding.encode(request, allocator: context.channel.allocator)
        } catch {
            // A request that cannot be sent as it is (a mapped value with a line break, a target with bytes no URI
            // may hold) is refused before a byte goes out, and the connection is not used again.
            pending = exchange.promise
            promise?.fail(HTTPParserError.invalidHeaderToken)
            errorCaught(context: context, error: HTTPParserError.invalidHeaderToken)
            return
        }
        pending = exchange.promise
        head = nil
        body = nil
        requestSent = false
        // The decoder before this handler learns the method (a HEAD's answer has no body) from a head part, which
        // the handler after it drops; the request itself goes out as the bytes.
        context.write(
            wrapOutboundOut(.head(HTTPRequestHead(version: .http1_1, method: request.method, uri: "/"))), promise: nil)
        guard let large = encoded.body else {
            // Sent in one write: an answer cannot come before it.
            requestSent = true
            context.write(wrapOutboundOut(.body(.byteBuffer(encoded.head))), promise: promise)
            return
        }
        context.write(wrapOutboundOut(.body(.byteBuffer(encoded.head))), promise: nil)
        // With a large body, an answer may come before the last byte is sent: note when it is.
        let sent = context.eventLoop.makePromise(of: Void.self)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        sent.futureResult.whenSuccess { handler.value.requestSent = true }
        if let promise { sent.futureResult.cascade(to: promise) }
        context.write(wrapOutboundOut(.body(.byteBuffer(large))), promise: sent)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !poisoned else { return }
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            // 1xx answers are interim: the final one follows.
            if (100..<200).contains(responseHead.status.code) && responseHead.status != .switchingProtocols { return }
            guard pending != nil, head == nil else {
                poison(context, UpstreamError.malformedResponse("a response no request asked for"))
                return
            }
            head = responseHead
            bodyRemaining =
                responseHead.headers.contains(name: "Transfer-Encoding")
                ? nil : responseHead.headers.first(name: "Content-Length").flatMap(Int.init)
        case .body(var chunk):
            guard pending != nil, head != nil else {
                poison(context, UpstreamError.malformedResponse("a response no request asked for"))
                return
            }
            bodyRemaining = bodyRemaining.map { $0 - chunk.readableBytes }
            if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
            if (body?.readableBytes ?? 0) > UpstreamPool.maximumResponseSize {
                fail(UpstreamError.responseTooLarge)
                poisoned = true
                context.close(promise: nil)
            }
        case .end:
            guard let head, let promise = pending else {
                poison(context, UpstreamError.malformedResponse("a response no request asked for"))
                return
            }
            pending = nil
            self.head = nil
            let body = self.body ?? ByteBuffer()
            self.body = nil
            var headers = head.headers
            // A backend that answers before reading the whole request cannot carry another one.
            if !head.isKeepAlive || !requestSent {
                headers.replaceOrAdd(name: "Connection", value: "close")
                poisoned = true
            }
            promise.succeed(UpstreamResponse(status: head.status, headers: headers, body: body))
        }
    }

    /// The connection broke the rules: fail what waits and close it for good.
    private func poison(_ context: ChannelHandlerContext, _ error: UpstreamError) {
        poisoned = true
        fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        poisoned = true
        fail(head == nil ? UpstreamError.connectionClosed : UpstreamError.closedMidResponse)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        poisoned = true
        if error is HTTPParserError || error is NIOHTTPDecoderError {
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

/// Below the response decoder on a backend connection: writes the bytes `UpstreamHandler` encoded (body parts) and
/// drops the head part written before them, which is there only for the decoder to see the request's method.
final class UpstreamRequestBytes: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = IOData

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .body(let bytes): context.write(wrapOutboundOut(bytes), promise: promise)
        case .head, .end: promise?.succeed(())
        }
    }
}

/// A backend request as the bytes that go on the wire: request line, headers, `Content-Length` and body, checked as
/// NIO's request validator checks them (method and names tokens, values without control characters, the target
/// only of the characters a URI may hold), escaped header bytes turned back into themselves (see `HeaderBytes`).
enum RequestEncoding {
    struct Unsendable: Error {}

    static func encode(_ request: UpstreamRequest, allocator: ByteBufferAllocator) throws -> (
        head: ByteBuffer, body: ByteBuffer?
    ) {
        let method = request.method.rawValue
        guard ResponseEncoding.validName(method), validTarget(request.target) else { throw Unsendable() }
        let bodyBytes = request.body?.readableBytes ?? 0
        let copies = bodyBytes > 0 && bodyBytes <= ResponseEncoding.copiedBody
        var buffer = allocator.buffer(capacity: 256 + request.target.utf8.count + (copies ? bodyBytes : 0))
        buffer.writeString(method)
        buffer.writeStaticString(" ")
        buffer.writeString(request.target)
        buffer.writeStaticString(" HTTP/1.1\r\n")
        for (name, value) in request.headers {
            guard ResponseEncoding.validName(name), ResponseEncoding.validValue(value) else { throw Unsendable() }
            if RequestEncoding.contentLength.contains(name) { continue }
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        if request.body != nil || request.method == .POST || request.method == .PUT || request.method == .PATCH {
            buffer.writeStaticString("Content-Length: ")
            ResponseEncoding.writeDecimal(bodyBytes, into: &buffer)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("\r\n")
        if HeaderBytes.mayHaveEscapes(request.headers) { buffer = HeaderBytes.unescape(buffer) }
        guard bodyBytes > 0, var body = request.body else { return (buffer, nil) }
        if copies {
            buffer.writeBuffer(&body)
            return (buffer, nil)
        }
        return (buffer, body)
    }

    private static let contentLength = HeaderNameSet(["content-length"])

    /// The characters RFC 3986 lets a request target hold (unreserved, delimiters, `%`); anything else must have
    /// been percent-encoded.
    static func validTarget(_ target: String) -> Bool { ByteClass.target.allows(target) }
}
