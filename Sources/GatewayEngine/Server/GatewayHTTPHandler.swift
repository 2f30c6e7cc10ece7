import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Serves invoke URLs on one connection: gathers each request (at most 10 MB of body), hands it to the pipeline
/// and writes the answer. Requests on a connection are answered in the order they came, also when a client
/// pipelines them and a later one finishes first (from the cache, say): answers wait for the ones before them.
/// Reading is never paused, so a keep-alive connection costs no extra system calls per request.
final class GatewayHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// API Gateway's payload limit.
    static let maximumBody = 10 * 1024 * 1024
    /// API Gateway's limit on the combined size of all header values.
    static let maximumHeaderValues = 10_240

    let pipeline: RequestPipeline
    /// Whether invoke URLs are served on this listener.
    let servesInvoke: Bool
    /// Where requests that are not invoke URLs go (the control API), when anything listens there.
    let control: ControlHook?
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false
    private var headersTooLarge = false
    /// The sequence number of the next request to arrive, and of the next answer to write.
    private var received = 0
    private var written = 0
    /// Answers that finished before an earlier one, by sequence number.
    private var waiting: [Int: (InvokeResponse, HTTPRequestHead, Bool)] = [:]
    private var closing = false

    init(pipeline: RequestPipeline, servesInvoke: Bool = true, control: ControlHook? = nil) {
        self.pipeline = pipeline
        self.servesInvoke = servesInvoke
        self.control = control
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = nil
            tooLarge = false
            headersTooLarge = requestHead.headers.reduce(0) { $0 + $1.value.utf8.count } > Self.maximumHeaderValues
            if let length = requestHead.headers.first(name: "Content-Length").flatMap(Int.init),
                length > Self.maximumBody
            {
                tooLarge = true
            }
        case .body(var chunk):
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
            guard let head else { return }
            self.head = nil
            let sequence = received
            received += 1
            if tooLarge || headersTooLarge {
                let response = pipeline.failure(
                    tooLarge ? .requestTooLarge : .headersTooLarge, stage: nil, requestId: RequestIds.requestId(),
                    extendedId: RequestIds.extendedId())
                deliver(response, for: head, keepAlive: false, sequence: sequence, context: context)
                return
            }
            let requestBody = body
            body = nil
            let keepAlive = head.isKeepAlive
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            route(head, body: requestBody, remote: context.channel.remoteAddress, on: context.eventLoop).whenSuccess {
                response in
                let (handler, context) = loopBound.value
                handler.deliver(response, for: head, keepAlive: keepAlive, sequence: sequence, context: context)
            }
        }
    }

    /// Finds the API and stage in the invoke URL (`/restapis/{api}/{stage}/_user_request_/…` or the host
    /// `{api}.execute-api.localhost` with `/{stage}/…`) and serves the request.
    func route(_ head: HTTPRequestHead, body: ByteBuffer?, remote: SocketAddress?, on eventLoop: EventLoop)
        -> EventLoopFuture<InvokeResponse>
    {
        let uri = head.uri
        let pathEnd = uri.firstIndex(of: "?") ?? uri.endIndex
        let path = uri[..<pathEnd]
        let query = pathEnd < uri.endIndex ? String(uri[uri.index(after: pathEnd)...]) : nil
        var apiId: Substring?
        var stage: Substring?
        var resourcePath: Substring = "/"
        let host = head.headers.first(name: "Host")
        if let host, let dot = GatewayHTTPHandler.executeApiPrefix(host) {
            apiId = host[..<dot]
            let segments = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
            stage = segments.first
            resourcePath = segments.count > 1 ? "/" + segments[1] : "/"
        } else if let host, let (api, stageName, rest) = customDomain(host: host, path: path) {
            apiId = api
            stage = stageName
            resourcePath = rest
        } else if path.hasPrefix("/restapis/") {
            let segments = path.dropFirst("/restapis/".count).split(
                separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
            if segments.count >= 3, segments[2] == "_user_request_" {
                apiId = segments[0]
                stage = segments[1]
                resourcePath = segments.count > 3 ? "/" + segments[3] : "/"
            }
        }
        var headers = head.headers
        headers.remove(name: "Connection")
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
                sourceIP: remote?.ipAddress ?? "127.0.0.1")
            let promise = eventLoop.makePromise(of: InvokeResponse.self)
            promise.completeWithTask { await responder(request) ?? missing() }
            return promise.futureResult
        }
        let request = InvokeRequest(
            method: head.method.rawValue, path: String(resourcePath), query: query, headers: headers, body: body,
            sourceIP: remote?.ipAddress ?? "127.0.0.1")
        return pipeline.serve(request, api: String(apiId).lowercased(), stage: String(stage), on: eventLoop)
    }

    /// The API, stage and resource path a request to a custom domain name goes to, through its base path
    /// mappings. Hosts that are IP addresses or `localhost` are not looked up.
    func customDomain(host: String, path: Substring) -> (Substring, Substring, Substring)? {
        guard let first = host.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
            first != UInt8(ascii: "["),
            !host.hasPrefix("localhost")
        else { return nil }
        let name = (host.firstIndex(of: ":").map { host[..<$0] } ?? host[...]).lowercased()
        guard let domain = pipeline.snapshot.withLockedValue({ $0.domains[name] }),
            let (mapping, rest) = domain.mapping(for: path)
        else { return nil }
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
        var headers = response.headers
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.readableBytes))
        headers.replaceOrAdd(name: "Date", value: HTTPDate.now())
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
            promise: nil)
        if head.method != .HEAD && response.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        let flushed = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            closing = true
            flushed.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
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
