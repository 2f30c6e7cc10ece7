import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The private "pictures" API of the Picturesocial walkthrough: the service that sits behind an internal
/// load balancer, reachable only through a VPC link. Kept in memory, so a POST shows in the next GET.
///
/// - `GET /api/pictures/all`, `GET /api/pictures/{id}`, `POST /api/pictures`, `DELETE /api/pictures/{id}`
/// - `GET /swagger/v1/swagger.json`: its OpenAPI definition, to import
/// - `GET /health`: 200 when up; `GET /stats`: how many API requests it has served
public final class PicturesBackend: Sendable {
    /// The address it listens on.
    public let host: String
    /// The port it listens on (the one asked for, or the one the system gave for 0).
    public let port: Int
    let state: PictureStore
    private let channel: Channel
    private let group: EventLoopGroup
    private let ownsGroup: Bool

    /// Starts the backend on `host:port` (port 0 picks a free one).
    public static func start(
        host: String = "127.0.0.1", port: Int = 0, group: EventLoopGroup? = nil
    ) async throws -> PicturesBackend {
        let ownsGroup = group == nil
        let group = group ?? MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = PictureStore()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(PicturesHandler(state: state))
                }
            }
            .bind(host: host, port: port).get()
        let boundPort = channel.localAddress?.port ?? port
        return PicturesBackend(
            host: host, port: boundPort, state: state, channel: channel, group: group, ownsGroup: ownsGroup)
    }

    private init(host: String, port: Int, state: PictureStore, channel: Channel, group: EventLoopGroup, ownsGroup: Bool)
    {
        self.host = host
        self.port = port
        self.state = state
        self.channel = channel
        self.group = group
        self.ownsGroup = ownsGroup
    }

    /// How many requests to `/api/…` it has served: what the gateway actually let through.
    public var apiRequestCount: Int { state.requestCount }

    /// `host:port`.
    public var address: String { "\(host):\(port)" }

    /// Stops listening.
    public func stop() async throws {
        try await channel.close().get()
        if ownsGroup { try await group.shutdownGracefully() }
    }

    /// Waits until the listening socket is closed.
    public func waitUntilClosed() async throws { try await channel.closeFuture.get() }

    /// The OpenAPI 3.0 definition the backend publishes, as Swashbuckle would.
    public static var swagger: Data { Data(swaggerJSON.utf8) }
}

/// The pictures and the request counter, shared by every connection.
final class PictureStore: Sendable {
    struct State {
        var pictures: [Picture]
        var nextId: Int
        var requests: Int
    }

    private let state = NIOLockedValueBox(
        State(
            pictures: [
                Picture(id: "1", name: "sunrise.jpg", owner: "jose", url: "https://pictures.example/1/sunrise.jpg"),
                Picture(id: "2", name: "lima.jpg", owner: "jose", url: "https://pictures.example/2/lima.jpg"),
                Picture(id: "3", name: "coffee.jpg", owner: "ana", url: "https://pictures.example/3/coffee.jpg"),
            ], nextId: 4, requests: 0))

    var requestCount: Int { state.withLockedValue { $0.requests } }

    func countRequest() { state.withLockedValue { $0.requests += 1 } }

    func all() -> [Picture] { state.withLockedValue { $0.pictures } }

    func picture(_ id: String) -> Picture? { state.withLockedValue { $0.pictures.first { $0.id == id } } }

    func add(name: String, owner: String?) -> Picture {
        state.withLockedValue { state in
            let id = String(state.nextId)
            state.nextId += 1
            let picture = Picture(
                id: id, name: name, owner: owner ?? "anonymous", url: "https://pictures.example/\(id)/\(name)")
            state.pictures.append(picture)
            return picture
        }
    }

    func delete(_ id: String) -> Bool {
        state.withLockedValue { state in
            guard let index = state.pictures.firstIndex(where: { $0.id == id }) else { return false }
            state.pictures.remove(at: index)
            return true
        }
    }
}

/// A picture of the sample API.
struct Picture: Codable, Sendable, Equatable {
    var id: String
    var name: String
    var owner: String
    var url: String
}
