import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// What a shared state tells the nodes that serve it.
public enum StoreNotice: Sendable, Equatable {
    /// A change was committed; the state is now at this generation.
    case changed(generation: Int)
    /// A stage's cache (or its authorizers' cache) was flushed through some node.
    case cacheFlushed(api: String, stage: String, authorizers: Bool)
    /// One cached answer of a stage was invalidated through some node (`Cache-Control: max-age=0`).
    case cacheInvalidated(api: String, stage: String, key: String)
    /// The notifications connection is up (again): what was missed meanwhile must be caught up with.
    case connected
    /// The notifications connection is down; it is tried again every quarter of a second.
    case disconnected(reason: String)
}

/// One node of a shared state, as `gatehouse cluster status` shows it.
public struct NodeStatus: Sendable, Codable, Equatable {
    public var id: String
    /// Where it serves (`HOST:PORT`).
    public var address: String
    public var pid: Int
    public var startedAt: Date
    public var heartbeatAt: Date
    /// Seconds since it started, and since its last heartbeat, by the database's clock.
    public var uptime: Double
    public var heartbeatAge: Double
    /// The generation of the configuration it serves.
    public var generation: Int
    /// Seconds since it last wrote its quota counts, when it has.
    public var flushLag: Double?
    /// Whether it counts among the live nodes (a heartbeat within `GatewayStore.nodeTimeout`).
    public var live: Bool
}

/// Notifications from a shared state, until `stop()`.
public final class StoreNotices: Sendable {
    public let stream: AsyncStream<StoreNotice>
    private let listener: PostgresListener

    init(listener: PostgresListener, stream: AsyncStream<StoreNotice>) {
        self.listener = listener
        self.stream = stream
    }

    public func stop() { listener.stop() }
}

extension GatewayStore {
    /// A node that has not sent a heartbeat for this long no longer counts among the live nodes (it has stopped,
    /// was killed or lost its database); nodes heartbeat every second.
    public static let nodeTimeout: Double = 3

    private func shared() throws -> PostgresBackend {
        guard case .postgres(let postgres) = backend else {
            throw StoreError(
                "The state \(location) is a SQLite file, served by one node: a cluster shares a PostgreSQL state (--state postgres://USER@HOST:PORT/DATABASE)"
            )
        }
        return postgres
    }

    /// Notifications of changes and cache flushes made through any node; nil for a SQLite state (whose readers
    /// look at its generation instead).
    public func notices() -> StoreNotices? {
        guard case .postgres(let postgres) = backend else { return nil }
        let (stream, continuation) = AsyncStream<StoreNotice>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let listener = PostgresListener(location: postgres.location, continuation: continuation)
        listener.start()
        return StoreNotices(listener: listener, stream: stream)
    }

    /// Tells every node that a stage's cache (or its authorizers' cache) was flushed.
    public func announceCacheFlush(api: String, stage: String, authorizers: Bool) throws {
        try shared().notify(
            channel: PostgresBackend.cacheChannel,
            payload: try StoreNotice.payload(
                ["flush": authorizers ? "authorizers" : "responses", "api": api, "stage": stage]))
    }

    /// Tells every node that one cached answer of a stage was invalidated.
    public func announceCacheInvalidation(api: String, stage: String, key: String) throws {
        let payload = try StoreNotice.payload(["invalidate": key, "api": api, "stage": stage])
        // NOTIFY carries at most 8,000 bytes: a longer key flushes the stage's cache on the other nodes.
        guard payload.utf8.count < 7_900 else {
            return try announceCacheFlush(api: api, stage: stage, authorizers: false)
        }
        try shared().notify(channel: PostgresBackend.cacheChannel, payload: payload)
    }

    /// Records that a node is alive and what it serves; answers how many nodes are live now (itself included).
    public func heartbeat(
        node: String, address: String, generation: Int, flushLag: Double?
    ) throws -> Int {
        try shared().transaction(.counters) { session in
            try session.execute(
                """
                INSERT INTO node (id, address, pid, generation, flushed_at)
                VALUES (?, ?, ?, ?, now() - ? * interval '1 millisecond')
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), address = excluded.address,
                generation = excluded.generation, flushed_at = excluded.flushed_at
                """,
                [
                    .text(node), .text(address), .int(Int(getpid())), .int(generation),
                    flushLag.map { .int(Int($0 * 1000)) } ?? .null,
                ])
            // Nodes gone for ten minutes are forgotten.
            try session.execute("DELETE FROM node WHERE heartbeat_at < now() - interval '10 minutes'", [])
            return try session.value(
                "SELECT count(*) FROM node WHERE heartbeat_at > now() - ? * interval '1 millisecond'",
                [.int(Int(GatewayStore.nodeTimeout * 1000))])?.int ?? 1
        }
    }

    /// Takes a node out of the live count at once (a node stopping cleanly).
    public func leave(node: String) throws {
        try shared().transaction(.counters) { session in
            try session.execute("DELETE FROM node WHERE id = ?", [.text(node)])
        }
    }

    /// The nodes that served this state in the last ten minutes, the live ones first, then by start.
    public func nodes() throws -> [NodeStatus] {
        try shared().transaction(.read) { session in
            try session.rows(
                """
                SELECT id, address, pid, (extract(epoch FROM started_at) * 1000)::bigint,
                (extract(epoch FROM heartbeat_at) * 1000)::bigint,
                (extract(epoch FROM now() - heartbeat_at) * 1000)::bigint, generation,
                (extract(epoch FROM heartbeat_at - flushed_at) * 1000)::bigint,
                (extract(epoch FROM now() - started_at) * 1000)::bigint
                FROM node ORDER BY started_at, id
                """, []
            ).map { row in
                let age = Double(row[5].int ?? 0) / 1000
                return NodeStatus(
                    id: row[0].text ?? "", address: row[1].text ?? "", pid: row[2].int ?? 0,
                    startedAt: Date(timeIntervalSince1970: Double(row[3].int ?? 0) / 1000),
                    heartbeatAt: Date(timeIntervalSince1970: Double(row[4].int ?? 0) / 1000),
                    uptime: Double(row[8].int ?? 0) / 1000, heartbeatAge: age,
                    generation: row[6].int ?? 0, flushLag: row[7].int.map { Double($0) / 1000 },
                    live: age < GatewayStore.nodeTimeout)
            }.sorted { $0.live && !$1.live }
        }
    }
}

extension StoreNotice {
    static func payload(_ fields: [String: String]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
    }

    /// A notification as it arrived on `channel`; nil when it is not one of Gatehouse's.
    init?(channel: String, payload: String) {
        if channel == PostgresBackend.changesChannel {
            guard let generation = Int(payload) else { return nil }
            self = .changed(generation: generation)
            return
        }
        guard channel == PostgresBackend.cacheChannel,
            let fields = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: String],
            let api = fields["api"], let stage = fields["stage"]
        else { return nil }
        if let key = fields["invalidate"] {
            self = .cacheInvalidated(api: api, stage: stage, key: key)
        } else {
            self = .cacheFlushed(api: api, stage: stage, authorizers: fields["flush"] == "authorizers")
        }
    }
}

/// A connection that LISTENs for Gatehouse's notifications, connected again whenever it is lost.
final class PostgresListener: Sendable {
    let location: PostgresLocation
    let continuation: AsyncStream<StoreNotice>.Continuation
    private let state = NIOLockedValueBox<(stopped: Bool, connection: PostgresConnection?)>((false, nil))

    init(location: PostgresLocation, continuation: AsyncStream<StoreNotice>.Continuation) {
        self.location = location
        self.continuation = continuation
    }

    func start() {
        Task { await run() }
    }

    func stop() {
        let connection = state.withLockedValue { state -> PostgresConnection? in
            state.stopped = true
            defer { state.connection = nil }
            return state.connection
        }
        if let connection { PostgresBackend.close(connection) }
        continuation.finish()
    }

    private var stopped: Bool { state.withLockedValue { $0.stopped } }

    private func run() async {
        var down = false
        while !stopped {
            do {
                let connection = try await PostgresConnection.connect(
                    on: PostgresBackend.group.next(), configuration: location.configuration, id: 0,
                    logger: PostgresBackend.logger)
                let keep = state.withLockedValue { state -> Bool in
                    guard !state.stopped else { return false }
                    state.connection = connection
                    return true
                }
                guard keep else {
                    PostgresBackend.close(connection)
                    break
                }
                let continuation = self.continuation
                for channel in [PostgresBackend.changesChannel, PostgresBackend.cacheChannel] {
                    connection.addListener(channel: channel) { _, message in
                        if let notice = StoreNotice(channel: message.channel, payload: message.payload) {
                            continuation.yield(notice)
                        }
                    }
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "LISTEN \(channel)"), logger: PostgresBackend.logger)
                }
                continuation.yield(.connected)
                down = false
                // A connection the server dropped without a word is found by a ping every two seconds.
                let pinger = Task {
                    while !connection.isClosed, !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(2))
                        if connection.isClosed || Task.isCancelled { break }
                        let ping: EventLoopFuture<PostgresQueryResult> = connection.query(
                            PostgresQuery(unsafeSQL: "SELECT 1"), logger: PostgresBackend.logger)
                        if (try? await PostgresSession.bounded(connection, ping).get()) == nil {
                            PostgresBackend.close(connection)
                        }
                    }
                }
                try? await connection.closeFuture.get()
                pinger.cancel()
                state.withLockedValue { $0.connection = nil }
                if !connection.isClosed { PostgresBackend.close(connection) }
                if !down, !stopped {
                    continuation.yield(.disconnected(reason: "PostgreSQL at \(location.display) closed the connection"))
                    down = true
                }
            } catch {
                if let connection = state.withLockedValue({ state -> PostgresConnection? in
                    defer { state.connection = nil }
                    return state.connection
                }) {
                    PostgresBackend.close(connection)
                }
                if !down, !stopped {
                    continuation.yield(
                        .disconnected(
                            reason: "Cannot reach PostgreSQL at \(location.display): \(PostgresBackend.describe(error))"
                        ))
                    down = true
                }
            }
            if stopped { break }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}
