import Foundation
import NIOCore
import NIOHTTP1

/// Answers the pictures API on one connection.
final class PicturesHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let state: PictureStore
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    init(state: PictureStore) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            let (status, contentType, payload) = respond(to: head)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: contentType)
            headers.add(name: "Content-Length", value: String(payload.utf8.count))
            headers.add(name: "Server", value: "pictures-backend")
            headers.add(name: "X-Backend-Requests", value: String(state.requestCount))
            let keepAlive = head.isKeepAlive
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                promise: nil)
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: payload)))), promise: nil)
            let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let channel = context.channel
                written.whenComplete { _ in channel.close(promise: nil) }
            }
            self.head = nil
        }
    }

    func respond(to head: HTTPRequestHead) -> (HTTPResponseStatus, String, String) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let segments = path.split(separator: "/").map(String.init)
        if path == "/swagger/v1/swagger.json" && head.method == .GET {
            return (.ok, "application/json", swaggerJSON)
        }
        if path == "/health" { return (.ok, "application/json", "{\"status\":\"ok\"}") }
        if path == "/stats" { return (.ok, "application/json", "{\"requests\":\(state.requestCount)}") }
        guard segments.count >= 2, segments[0] == "api", segments[1] == "pictures" else {
            return (.notFound, "application/json", "{\"error\":\"not found\",\"path\":\(quoted(path))}")
        }
        state.countRequest()
        switch (head.method, segments.count) {
        case (.GET, 3) where segments[2] == "all":
            return (.ok, "application/json", json(state.all()))
        case (.GET, 3):
            guard let picture = state.picture(segments[2]) else { return notFound(segments[2]) }
            return (.ok, "application/json", json(picture))
        case (.POST, 2):
            struct NewPicture: Decodable {
                var name: String
                var owner: String?
            }
            guard let new = try? JSONDecoder().decode(NewPicture.self, from: Data(body.readableBytesView)),
                !new.name.isEmpty
            else {
                return (.badRequest, "application/json", "{\"error\":\"a picture needs a JSON body with a name\"}")
            }
            return (.created, "application/json", json(state.add(name: new.name, owner: new.owner)))
        case (.DELETE, 3):
            return state.delete(segments[2]) ? (.noContent, "application/json", "") : notFound(segments[2])
        default:
            return (.methodNotAllowed, "application/json", "{\"error\":\"method not allowed\"}")
        }
    }

    func notFound(_ id: String) -> (HTTPResponseStatus, String, String) {
        (.notFound, "application/json", "{\"error\":\"no picture \(id)\"}")
    }

    func json<T: Encodable>(_ value: T) -> String {
        String(decoding: (try? PicturesHandler.encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    func quoted(_ text: String) -> String { json(text) }
}
