import Foundation
import GatewayModel
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Serves invoke URLs on one connection: gathers each request (at most 10 MB of body), hands it to the pipeline
/// and writes the answer. Requests on a connection are answered in the order they came, also when a client
/// pipelines them and a later one finishes first (from the cache, say): answers wait for the ones before them.
///
/// One connection may have `maximumInFlight` requests being served at once; pipelined requests beyond that wait,
/// and reading stops while they wait or while the client is not reading its answers (the channel is not
/// writable), so a client that never reads holds a bounded amount of memory. Timeouts (`ServerLimits`) close a
/// connection whose head or body trickles in, that sits idle, or that leaves its answers unread.
final class GatewayHTTPHandler: ChannelDuplexHandler, RemovableChannelHandler, HeadFraming {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = IOData
    /// Answers go out as bytes this handler encodes itself (`ResponseEncoding`).
    typealias OutboundOut = IOData

    /// API Gateway's payload limit.
    static let maximumBody = 10 * 1024 * 1024
    /// API Gateway's limit on the combined size of all header values.
    static let maximumHeaderValues = 10_240

    let pipeline: RequestPipeline
    /// Whether invoke URLs are served on this listener.
    let servesInvoke: Bool
    /// Where requests that are not invoke URLs go (the control API), when anything listens there.
    let control: ControlHook?
    let limits: ServerLimits
    let registry: ConnectionRegistry?
    /// Body bytes still to come of the request being read, when its length is known.
    private var bodyRemaining: Int?
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false
    private var headersTooLarge = false
    /// The sequence number of the next request to arrive, to start, and of the next answer to write.
    private var received = 0
    private var started = 0
    private var written = 0
    /// Requests read whole and not yet started, oldest first.
    private var backlog = CircularBuffer<(HTTPRequestHead, ByteBuffer?, Int)>()
    /// Answers that finished before an earlier one, by sequence number.
    private var waiting: [Int: (InvokeResponse, HTTPRequestHead, Bool)] = [:]
    private var closing = false
    /// A `read` held back while the connection is paused.
    private var readPending = false
    /// When the first byte of the request being read arrived (nil between requests).
    private var headStarted: NIODeadline?
    private var readingBody = false
    /// The timeout the connection's state calls for, and when it expires.
    private var timerKind: TimerKind?
    private var deadline: NIODeadline?
    /// The one scheduled check, and when it runs. Moving a deadline later costs nothing: the check, when it
    /// runs, finds the new deadline and schedules itself again; only an earlier deadline reschedules it.
    private var timer: Scheduled<Void>?
    private var checkAt: NIODeadline?
    private var opened = false
    /// Whether the read in progress brought a request part.
    private var readMessage = false
    /// Since when the connection has had nothing read or in flight (nil while it has); the registry reads it, on
    /// this loop, to choose which connections to close when descriptors run out.
    private(set) var idleSince: NIODeadline? = .now()
    /// The client's address as text, made once per connection.
    private var sourceIP: String?

    private enum TimerKind: Equatable { case idle, header, body, send }

    init(
        pipeline: RequestPipeline, servesInvoke: Bool = true, control: ControlHook? = nil,
        limits: ServerLimits = ServerLimits(), registry: ConnectionRegistry? = nil
    ) {
        self.pipeline = pipeline
        self.servesInvoke = servesInvoke
        self.control = control
        self.limits = limits
        self.registry = registry
    }

    /// Where the decoder before this handler stands, for the `HeadEscaper` before it.
    var framing: MessageFraming { readingBody ? .body(remaining: bodyRemaining) : .head }

    // MARK: Connection life

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { connectionOpened(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        connectionOpened(context: context)
        context.fireChannelActive()
    }

    private func connectionOpened(context: ChannelHandlerContext) {
        guard !opened else { return }
        opened = true
        registry?.add(context.channel, handler: NIOLoopBound(self, eventLoop: context.eventLoop))
        rearm(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        checkAt = nil
        closing = true
        registry?.remove(context.channel)
        context.fireChannelInactive()
    }

    /// A read ended. When it brought bytes but no part of a request, the HTTP decoder holds the start of a head:
    /// the request's header timeout starts now.
    func channelReadComplete(context: ChannelHandlerContext) {
        if !readMessage, head == nil, !readingBody, headStarted == nil {
            headStarted = .now()
            idleSince = nil
            rearm(context: context)
        }
        readMessage = false
        context.fireChannelReadComplete()
    }

    /// Sets the one timer the connection's state calls for.
    private func rearm(context: ChannelHandlerContext) {
        let kind: TimerKind
        let deadline: NIODeadline
        if !context.channel.isWritable {
            (kind, deadline) = (.send, .now() + limits.sendTimeout)
        } else if started > written || !backlog.isEmpty {
            // The integration's own timeout governs.
            timerKind = nil
            self.deadline = nil
            return
        } else if readingBody {
            (kind, deadline) = (.body, .now() + limits.bodyTimeout)
        } else if let headStarted {
            (kind, deadline) = (.header, headStarted + limits.headerTimeout)
        } else {
            (kind, deadline) = (.idle, .now() + limits.idleTimeout)
        }
        // The header and send deadlines count from when that state began; re-arming the same kind keeps them.
        if kind == timerKind, kind == .header || kind == .send { return }
        timerKind = kind
        self.deadline = deadline
        schedule(at: deadline, context: context)
    }

    /// Makes sure the check runs no later than `when`.
    private func schedule(at when: NIODeadline, context: ChannelHandlerContext) {
        if let checkAt, checkAt <= when { return }
        timer?.cancel()
        checkAt = when
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: when) {
            let (handler, context) = loopBound.value
            handler.check(context: context)
        }
    }

    /// The scheduled check: acts on an expired deadline, else waits for the current one.
    private func check(context: ChannelHandlerContext) {
        timer = nil
        checkAt = nil
        guard !closing, let kind = timerKind, let deadline else { return }
        if deadline > .now() {
            schedule(at: deadline, context: context)
        } else {
            timedOut(kind, context: context)
        }
    }

    private func timedOut(_ kind: TimerKind, context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        switch kind {
        case .header, .body:
            // The request did not arrive in time: say so, then close.
            let response = InvokeResponse(
                status: 408, headers: ["Content-Type": "application/json"],
                body: ByteBuffer(string: #"{"message":"Request Timeout"}"#))
            send(response, version: .http1_1, method: .GET, keepAlive: false, context: context)
        case .idle, .send:
            context.close(promise: nil)
        }
    }

    // MARK: Back-pressure

    private func paused(_ context: ChannelHandlerContext) -> Bool {
        started - written + backlog.count >= limits.maximumInFlight || !context.channel.isWritable
    }

    func read(context: ChannelHandlerContext) {
        if paused(context) {
            readPending = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        startWaiting(context: context)
        resumeReading(context: context)
        rearm(context: context)
        context.fireChannelWritabilityChanged()
    }

    private func resumeReading(context: ChannelHandlerContext) {
        guard readPending, !closing, !paused(context) else { return }
        readPending = false
        context.read()
    }

    // MARK: Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        readMessage = true
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            idleSince = nil
            head = requestHead
            body = nil
            tooLarge = false
            readingBody = true
            let length = requestHead.headers.first(name: "Content-Length").flatMap(Int.init)
            bodyRemaining = requestHead.headers.contains(name: "Transfer-Encoding") ? nil : length
            headStarted = nil
            headersTooLarge = requestHead.headers.reduce(0) { $0 + $1.value.utf8.count } > Self.maximumHeaderValues
            if let length, length > Self.maximumBody { tooLarge = true }
            rearm(context: context)
        case .body(var chunk):
            bodyRemaining = bodyRemaining.map { $0 - chunk.readableBytes }
            if timerKind == .body { timerKind = nil }  // a read came: the pause restarts
            rearm(context: context)
            guard !tooLarge else { return }
            if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
            if body!.readableBytes > Self.maximumBody {
                tooLarge = true
                body = nil
            }
        case .end:
            readingBody = false
            guard let head else { return }
            self.head = nil
            let sequence = received
            received += 1
            if tooLarge || headersTooLarge {
                let response = pipeline.failure(
                    tooLarge ? .requestTooLarge : .headersTooLarge, stage: nil, requestId: RequestIds.requestId(),
                    extendedId: RequestIds.extendedId())
                started += 1
                deliver(response, for: head, keepAlive: false, sequence: sequence, context: context)
                return
            }
            backlog.append((head, body, sequence))
            body = nil
            startWaiting(context: context)
            rearm(context: context)
        }
    }

    /// Starts backlogged requests while fewer than `maximumInFlight` are being served and the client reads.
    private func startWaiting(context: ChannelHandlerContext) {
        while !closing, started - written < limits.maximumInFlight, context.channel.isWritable,
            let (head, body, sequence) = backlog.popFirst()
        {
            started += 1
            serve(head, body: body, sequence: sequence, context: context)
        }
    }

    private func serve(_ head: HTTPRequestHead, body: ByteBuffer?, sequence: Int, context: ChannelHandlerContext) {
        if let refusal = GatewayHTTPHandler.refusal(of: head) {
            deliver(refusal, for: head, keepAlive: false, sequence: sequence, context: context)
            return
        }
        let keepAlive = head.isKeepAlive
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let pipeline = self.pipeline
        if sourceIP == nil { sourceIP = context.channel.remoteAddress?.ipAddress ?? "127.0.0.1" }
        route(head, body: body, sourceIP: sourceIP ?? "127.0.0.1", on: context.eventLoop).whenComplete {
            result in
            let (handler, context) = loopBound.value
            // The pipeline answers its own failures; should anything still fail, the client hears 500, not silence.
            let response =
                (try? result.get())
                ?? pipeline.failure(
                    .configurationError, stage: nil, requestId: RequestIds.requestId(),
                    extendedId: RequestIds.extendedId())
            handler.deliver(response, for: head, keepAlive: keepAlive, sequence: sequence, context: context)
        }
    }

    /// The answer to a request no gateway should pass on: HTTP/1.1 without exactly one `Host` (RFC 9112 §3.2)
    /// and `CONNECT`, which asks for a tunnel. Both close the connection.
    static func refusal(of head: HTTPRequestHead) -> InvokeResponse? {
        let message: String
        let status: Int
        if head.method == .CONNECT {
            (status, message) = (405, "CONNECT is not supported: API Gateway does not open tunnels")
        } else if head.version.major == 1, head.version.minor >= 1, case let count = hostCount(head.headers),
            count != 1
        {
            (status, message) = (
                400,
                count == 0
                    ? "Bad Request: an HTTP/1.1 request needs a Host header"
                    : "Bad Request: the request has \(count) Host headers; it may have one"
            )
        } else {
            return nil
        }
        let body = ByteBuffer(string: "{\"message\":\"\(message)\"}")
        return InvokeResponse(
            status: status,
            headers: ["Content-Type": "application/json", "x-amzn-RequestId": RequestIds.requestId()], body: body)
    }

    /// Finds the API and stage in the invoke URL (`/restapis/{api}/{stage}/_user_request_/…` or the host
    /// `{api}.execute-api.localhost` with `/{stage}/…`) and serves the request.
    func route(_ head: HTTPRequestHead, body: ByteBuffer?, sourceIP: String, on eventLoop: EventLoop)
        -> EventLoopFuture<InvokeResponse>
    {
        let uri = head.uri
        let pathEnd = uri.firstIndex(of: "?") ?? uri.endIndex
        let rawPath = uri[..<pathEnd]
        let query = pathEnd < uri.endIndex ? String(uri[uri.index(after: pathEnd)...]) : nil
        var apiId: Substring?
        var stage: Substring?
        var resourcePath: Substring = "/"
        let host = head.headers.first(name: "Host")
        // Routing sees the path in normal form, so `..` and `%2e` cannot reach a resource other than the one named.
        let executeApi = host.flatMap(GatewayHTTPHandler.executeApiPrefix)
        let domain = executeApi == nil ? host.flatMap(domain(named:)) : nil
        let normalizedPath =
            executeApi != nil || domain != nil ? RequestPath.normalized(rawPath) : String(rawPath)
        let path = normalizedPath[...]
        if let host, let dot = executeApi {
            apiId = host[..<dot]
            let segments = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
            stage = segments.first
            resourcePath = segments.count > 1 ? "/" + segments[1] : "/"
        } else if let domain, let (api, stageName, rest) = customDomain(domain, path: path) {
            apiId = api
            stage = stageName
            resourcePath = rest
        } else if path.hasPrefix("/restapis/") {
            let segments = path.dropFirst("/restapis/".count).split(
                separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
            if segments.count >= 3, segments[2] == "_user_request_" {
                apiId = segments[0]
                stage = segments[1]
                resourcePath =
                    segments.count > 3
                    ? RequestPath.normalized(path[path.index(before: segments[3].startIndex)..<segments[3].endIndex])[
                        ...]
                    : "/"
            }
        }
        var headers = head.headers
        GatewayHTTPHandler.removeHopByHop(&headers)
        guard servesInvoke, let apiId, let stage else {
            let pipeline = self.pipeline
            @Sendable func missing() -> InvokeResponse {
                pipeline.failure(
                    .missingAuthenticationToken, stage: nil, requestId: RequestIds.requestId(),
                    extendedId: RequestIds.extendedId())
            }
            guard let responder = control?.responder else { return eventLoop.makeSucceededFuture(missing()) }
            let request = InvokeRequest(
                method: head.method.rawValue, path: String(path), query: query, headers: headers, body: body,
                sourceIP: sourceIP)
            let promise = eventLoop.makePromise(of: InvokeResponse.self)
            promise.completeWithTask { await responder(request) ?? missing() }
            return promise.futureResult
        }
        let signed = headers.first(name: "Authorization")?.hasPrefix("AWS4-HMAC-SHA256 ") == true
        let request = InvokeRequest(
            method: head.method.rawValue, path: String(resourcePath), query: query, headers: headers, body: body,
            sourceIP: sourceIP, signedPath: signed ? String(rawPath) : nil)
        let api =
            apiId.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
            ? apiId.lowercased() : String(apiId)
        return pipeline.serve(request, api: api, stage: String(stage), on: eventLoop)
    }

    /// The API, stage and resource path a request to a custom domain name goes to, through its base path
    /// mappings. Hosts that are IP addresses or `localhost` are not looked up.
    func customDomain(_ domain: DomainName, path: Substring) -> (Substring, Substring, Substring)? {
        guard let (mapping, rest) = domain.mapping(for: path) else { return nil }
        var resource = rest
        var stageName = mapping.stage.map { Substring($0) }
        if stageName == nil {
            let trimmed = rest.drop { $0 == "/" }
            let first = trimmed.prefix { $0 != "/" }
            guard !first.isEmpty else { return nil }
            stageName = first
            resource = trimmed.dropFirst(first.count)
        }
        guard let stageName else { return nil }
        return (Substring(mapping.restApiId), stageName, resource.isEmpty ? "/" : resource)
    }

    private static let host = HeaderNameSet(["host"])

    /// How many `Host` headers there are, counted without allocating.
    static func hostCount(_ headers: HTTPHeaders) -> Int {
        var count = 0
        for (name, _) in headers where name.utf8.count == 4 && GatewayHTTPHandler.host.contains(name) { count += 1 }
        return count
    }

    /// Removes `Connection` and every header it names (RFC 9110 §7.6.1): they are for this hop only.
    static func removeHopByHop(_ headers: inout HTTPHeaders) {
        guard headers.contains(name: "Connection") else { return }
        let named = headers[canonicalForm: "connection"]
        headers.remove(name: "Connection")
        for token in named {
            let name = token.trimmingCharacters(in: .whitespaces)
            if !name.isEmpty { headers.remove(name: name) }
        }
    }

    /// The custom domain name a Host header names. Hosts that are IP addresses or `localhost` are not looked up.
    private func domain(named host: String) -> DomainName? {
        guard let first = host.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
            first != UInt8(ascii: "["),
            !host.hasPrefix("localhost")
        else { return nil }
        let name = (host.firstIndex(of: ":").map { host[..<$0] } ?? host[...]).lowercased()
        return pipeline.snapshot.withLockedValue { $0.domains[name] }
    }

    /// Writes an answer when every earlier one is written; otherwise keeps it until they are.
    func deliver(
        _ response: InvokeResponse, for head: HTTPRequestHead, keepAlive: Bool, sequence: Int,
        context: ChannelHandlerContext
    ) {
        guard !closing else { return }
        guard sequence == written else {
            waiting[sequence] = (response, head, keepAlive)
            return
        }
        write(response, for: head, keepAlive: keepAlive, context: context)
        written += 1
        while !closing, let (next, nextHead, nextKeepAlive) = waiting.removeValue(forKey: written) {
            write(next, for: nextHead, keepAlive: nextKeepAlive, context: context)
            written += 1
        }
        guard !closing else { return }
        startWaiting(context: context)
        if started == written, backlog.isEmpty, headStarted == nil, !readingBody {
            idleSince = .now()
        }
        rearm(context: context)
        resumeReading(context: context)
    }

    /// Where `.execute-api.` starts in a Host header, found without Foundation.
    static func executeApiPrefix(_ host: String) -> String.Index? {
        let marker = Array(".execute-api.".utf8)
        let bytes = host.utf8
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if bytes[index] == marker[0], bytes[index...].starts(with: marker) { return index }
            index = bytes.index(after: index)
        }
        return nil
    }

    func write(_ response: InvokeResponse, for head: HTTPRequestHead, keepAlive: Bool, context: ChannelHandlerContext) {
        send(response, version: head.version, method: head.method, keepAlive: keepAlive, context: context)
    }

    /// Encodes an answer and writes it, closing the connection after it unless kept alive. An answer with a header
    /// that cannot be sent (a name that is not a token, a value with a line break, from a mapping) becomes a 500.
    private func send(
        _ response: InvokeResponse, version: HTTPVersion, method: HTTPMethod, keepAlive: Bool,
        context: ChannelHandlerContext
    ) {
        let date = HTTPDate.now()
        let encoded: (head: ByteBuffer, body: ByteBuffer?)
        do {
            encoded = try ResponseEncoding.encode(
                status: response.status, version: version, headers: response.headers, body: response.body,
                method: method, keepAlive: keepAlive, date: date, allocator: context.channel.allocator)
        } catch {
            let failure = pipeline.failure(
                .configurationError, stage: nil, requestId: RequestIds.requestId(), extendedId: RequestIds.extendedId())
            encoded =
                (try? ResponseEncoding.encode(
                    status: failure.status, version: version, headers: failure.headers, body: failure.body,
                    method: method, keepAlive: keepAlive, date: date, allocator: context.channel.allocator))
                ?? (ByteBuffer(), nil)
        }
        // A kept-alive answer is written without a promise (none is waited on): one allocation less per request.
        let flushed = keepAlive ? nil : context.eventLoop.makePromise(of: Void.self)
        if let body = encoded.body {
            context.write(wrapOutboundOut(.byteBuffer(encoded.head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(body)), promise: flushed)
        } else {
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(encoded.head)), promise: flushed)
        }
        if let flushed {
            let channel = context.channel
            closing = true
            flushed.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// A request that is not HTTP gets a 400 (unless the connection is already closing), then the connection
    /// closes; any other error closes it.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is HTTPParserError, !closing {
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(GatewayHTTPHandler.badRequest)), promise: nil)
        }
        closing = true
        context.close(promise: nil)
    }

    static let badRequest = ByteBuffer(
        string: "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
}

/// The `Date` header, formatted once per second.
enum HTTPDate {
    private static let cache = NIOLockedValueBoxCache()

    static func now() -> String { cache.value() }
}

/// A tiny cache of the formatted current second.
final class NIOLockedValueBoxCache: Sendable {
    private let box = NIOLockedValueBox<(second: Int, text: String)>((0, ""))

    func value() -> String {
        var now = time(nil)
        let second = Int(now)
        if let cached = box.withLockedValue({ $0.second == second ? $0.text : nil }) { return cached }
        var parts = tm()
        gmtime_r(&now, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let text = String(
            format: "%@, %02d %@ %04d %02d:%02d:%02d GMT", days[Int(parts.tm_wday)], parts.tm_mday,
            months[Int(parts.tm_mon)],
            Int(parts.tm_year) + 1900, parts.tm_hour, parts.tm_min, parts.tm_sec)
        box.withLockedValue { $0 = (second, text) }
        return text
    }
}
