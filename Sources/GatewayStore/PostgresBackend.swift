import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO

/// A PostgreSQL state's address: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`.
struct PostgresLocation: Sendable {
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String

    static func isPostgres(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    init(_ url: String) throws(StoreError) {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty,
            let user = components.user, !user.isEmpty
        else {
            throw StoreError(
                "--state \(PostgresLocation.redacted(url)) is not a PostgreSQL URL: write postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
            )
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError(
                "--state \(PostgresLocation.redacted(url)) names no database: add /DATABASE after the host")
        }
        self.host = host
        port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
    }

    /// The URL without its password, as messages and `cluster status` show it.
    var display: String { "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)" }

    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }

    var configuration: PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}

/// The state in a PostgreSQL database, shared by several Gatehouse nodes. Each transaction runs on one connection
/// of a small pool. Write transactions take one cluster-wide advisory lock, so that they follow one another as
/// SQLite's do (READ COMMITTED after the lock sees every earlier commit); reads run in REPEATABLE READ, one
/// snapshot each. Every write advances the generation and announces it with NOTIFY in the same transaction.
///
/// The calls block their thread until PostgreSQL answers, as GRDB's do: they are made from the control plane's
/// actor and the engine's blocking thread, never from an event loop. The connections' I/O runs on NIO's shared
/// event loop group.
final class PostgresBackend: Sendable {
    let location: PostgresLocation
    private let idle = NIOLockedValueBox<[PostgresConnection]>([])
    private let connectionCount = NIOLockedValueBox<Int>(0)

    /// The channel every write announces its generation on.
    static let changesChannel = "gatehouse_changes"
    /// The channel cache flushes are announced on (`api/stage` or `api/stage/authorizers`).
    static let cacheChannel = "gatehouse_cache"
    /// Advisory lock keys: one for writes of configuration, one for migrations.
    static let writeLock = 72_617_001
    static let migrationLock = 72_617_002

    static let logger = Logger(label: "gatehouse.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    static var group: any EventLoopGroup { MultiThreadedEventLoopGroup.singleton }

    init(location: PostgresLocation) throws(StoreError) {
        self.location = location
        try migrate()
    }

    deinit {
        for connection in idle.withLockedValue({ $0 }) { PostgresBackend.close(connection) }
    }

    // MARK: Connections

    private func connect() throws -> PostgresConnection {
        let id = connectionCount.withLockedValue {
            $0 += 1
            return $0
        }
        do {
            return try PostgresConnection.connect(
                on: PostgresBackend.group.next(), configuration: location.configuration, id: id,
                logger: PostgresBackend.logger
            ).wait()
        } catch {
            throw unreachable(error)
        }
    }

    func unreachable(_ error: any Error) -> StoreError {
        StoreError("Cannot reach PostgreSQL at \(location.display): \(PostgresBackend.describe(error))")
    }

    private func checkout() throws -> PostgresConnection {
        while let connection = idle.withLockedValue({ $0.popLast() }) {
            if !connection.isClosed { return connection }
        }
        return try connect()
    }

    private func checkin(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        let surplus = idle.withLockedValue { idle -> Bool in
            guard idle.count < 4 else { return true }
            idle.append(connection)
            return false
        }
        if surplus { PostgresBackend.close(connection) }
    }

    /// Closes a connection, holding it until it is closed (postgres-nio expects a connection closed before it goes).
    static func close(_ connection: PostgresConnection) {
        connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    // MARK: Transactions

    enum Kind {
        case read, write, counters, migration

        var begin: String {
            switch self {
            case .read: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
            default: "BEGIN"
            }
        }
    }

    /// Runs `body` in one transaction of `kind`: committed whole, or rolled back when anything throws. A
    /// connection found closed before the transaction began (PostgreSQL restarted meanwhile) is replaced once.
    @discardableResult
    func transaction<T>(_ kind: Kind, _ body: (PostgresSession) throws -> T) throws -> T {
        var retried = false
        while true {
            let connection = try checkout()
            let session = PostgresSession(connection: connection)
            var begun = false
            do {
                try session.execute(kind.begin, [])
                begun = true
                switch kind {
                case .write: try session.execute("SELECT pg_advisory_xact_lock(?)", [.int(PostgresBackend.writeLock)])
                case .migration:
                    try session.execute("SELECT pg_advisory_xact_lock(?)", [.int(PostgresBackend.migrationLock)])
                default: break
                }
                let result = try body(session)
                if kind == .write {
                    let generation =
                        try session.value(
                            "UPDATE meta SET value = value + 1 WHERE key = 'generation' RETURNING value")?.int ?? 0
                    try session.execute(
                        "SELECT pg_notify(?, ?)", [.text(PostgresBackend.changesChannel), .text(String(generation))])
                }
                try session.execute("COMMIT", [])
                checkin(connection)
                return result
            } catch {
                if !connection.isClosed, !(error is Unanswered) {
                    _ = try? session.execute("ROLLBACK", [])
                    checkin(connection)
                } else {
                    PostgresBackend.close(connection)
                }
                if !begun, !retried, connection.isClosed {
                    retried = true
                    continue
                }
                throw translate(error)
            }
        }
    }

    /// The caller's own errors as they are; PostgreSQL's as a `StoreError` that names the database.
    private func translate(_ error: any Error) -> any Error {
        if error is StoreError
            || !(error is PSQLError || error is ChannelError || error is IOError || error is Unanswered)
        {
            return error
        }
        if let error = error as? PSQLError, error.code == .server {
            return StoreError("PostgreSQL at \(location.display): \(PostgresBackend.describe(error))")
        }
        return unreachable(error)
    }

    /// What went wrong, in PostgreSQL's own words where it said any.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return message + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
            }
            if let underlying = error.underlying { return describe(underlying) }
            switch error.code {
            case .serverClosedConnection, .uncleanShutdown: return "the server closed the connection"
            case .clientClosedConnection: return "the connection was closed"
            default: return "\(error.code)"
            }
        }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return describe(first.error)
        }
        if case ChannelError.connectTimeout = error { return "no answer within 5 seconds" }
        if let error = error as? Unanswered { return error.description }
        return "\(error)"
    }

    // MARK: Migrations

    /// Brings the schema up to date. Several nodes starting at once take turns (an advisory lock); each step
    /// is applied once, in the same transaction that records it.
    private func migrate() throws(StoreError) {
        do {
            try transaction(.migration) { session in
                try session.execute("CREATE TABLE IF NOT EXISTS gatehouse_migration (identifier TEXT PRIMARY KEY)", [])
                let applied = Set(try session.column("SELECT identifier FROM gatehouse_migration").compactMap(\.text))
                for step in Schema.postgresSteps where !applied.contains(step.identifier) {
                    for statement in step.sql.split(separator: ";")
                    where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                        try session.execute(String(statement), [])
                    }
                    try session.execute(
                        "INSERT INTO gatehouse_migration (identifier) VALUES (?)", [.text(step.identifier)])
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError("PostgreSQL at \(location.display): \(error)")
        }
    }

    // MARK: Notifications

    /// Sends a notification on `channel` (outside any transaction: delivered at once).
    func notify(channel: String, payload: String) throws {
        try transaction(.counters) { session in
            try session.execute("SELECT pg_notify(?, ?)", [.text(channel), .text(payload)])
        }
    }
}

/// PostgreSQL did not answer a statement in time.
struct Unanswered: Error, CustomStringConvertible {
    var description: String { "no answer within \(PostgresSession.answerTimeout.nanoseconds / 1_000_000_000) seconds" }
}

/// One connection's statements, in PostgreSQL's placeholders (`$1`, `$2`, …) and types.
struct PostgresSession: SQLSession {
    let connection: PostgresConnection

    var dialect: SQLDialect { .postgres }

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try run(sql, arguments).metadata.rows ?? 0
    }

    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
        try run(sql, arguments).rows.map { row in row.map(PostgresSession.value) }
    }

    /// How long one statement may go unanswered before its connection is given up (a server that went away
    /// without closing the connection must not hold a caller for ever).
    static let answerTimeout: TimeAmount = .seconds(15)

    private func run(_ sql: String, _ arguments: [SQLValue]) throws -> PostgresQueryResult {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .null: bindings.appendNull()
            case .int(let value): bindings.append(value)
            case .text(let text): bindings.append(text)
            case .blob(let data): bindings.append(ByteBuffer(bytes: data))
            }
        }
        let query = PostgresQuery(unsafeSQL: PostgresSession.numbered(sql), binds: bindings)
        return try PostgresSession.bounded(connection, connection.query(query, logger: PostgresBackend.logger)).wait()
    }

    /// `future`, failed with `Unanswered` (and the connection closed) when it takes longer than `answerTimeout`.
    static func bounded<T: Sendable>(_ connection: PostgresConnection, _ future: EventLoopFuture<T>)
        -> EventLoopFuture<T>
    {
        let promise = future.eventLoop.makePromise(of: T.self)
        let timer = future.eventLoop.scheduleTask(in: answerTimeout) {
            promise.fail(Unanswered())
            PostgresBackend.close(connection)
        }
        future.whenComplete { result in
            timer.cancel()
            promise.completeWith(result)
        }
        return promise.futureResult
    }

    /// `?` placeholders as `$1`, `$2`, … (the statements have no `?` of their own).
    static func numbered(_ sql: String) -> String {
        var result = ""
        result.reserveCapacity(sql.utf8.count + 8)
        var number = 0
        for character in sql {
            if character == "?" {
                number += 1
                result += "$\(number)"
            } else {
                result.append(character)
            }
        }
        return result
    }

    static func value(_ cell: PostgresCell) -> SQLValue {
        guard var bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .bytea: return .blob(Data(bytes.readableBytesView))
        case .int8, .int4, .int2:
            return (try? cell.decode(Int.self)).map(SQLValue.int) ?? .null
        case .bool: return .int((try? cell.decode(Bool.self)) == true ? 1 : 0)
        default:
            if cell.format == .text { return .text(bytes.readString(length: bytes.readableBytes) ?? "") }
            return (try? cell.decode(String.self)).map(SQLValue.text) ?? .blob(Data(bytes.readableBytesView))
        }
    }
}
