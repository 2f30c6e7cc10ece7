import Foundation
import GRDB
import GatewayModel

/// Gatehouse's state: one SQLite database in WAL mode, or a PostgreSQL database that several nodes share
/// (`postgres://…`, `PostgresBackend`). Every change is one transaction, so a crash or a `kill -9` at any moment
/// leaves the last committed state intact. Several processes may share a file: a writer waits up to
/// `busyTimeout` for another to finish, then fails with a clear message.
public final class GatewayStore: Sendable {
    /// Where the state lives: a file path, `:memory:`, or a PostgreSQL URL.
    public let location: String
    let backend: Backend

    enum Backend {
        case sqlite(any DatabaseWriter)
        case postgres(PostgresBackend)
    }

    /// Whether several Gatehouse nodes may serve this state at once (PostgreSQL).
    public var isShared: Bool {
        if case .postgres = backend { return true }
        return false
    }

    /// The location as messages show it (a PostgreSQL URL without its password).
    public var displayLocation: String {
        if case .postgres(let postgres) = backend { return postgres.location.display }
        return location
    }

    /// How long a write waits for another process holding the file.
    public static let busyTimeout: TimeInterval = 5

    /// Opens (creating when needed) the state at `location`; `:memory:` keeps nothing on disk; a
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` URL opens (and migrates) that database.
    public init(location: String) throws(StoreError) {
        if PostgresLocation.isPostgres(location) {
            self.location = PostgresLocation.redacted(location)
            backend = .postgres(try PostgresBackend(location: try PostgresLocation(location)))
            return
        }
        self.location = location
        let writer: any DatabaseWriter
        var configuration = Configuration()
        configuration.busyMode = .timeout(GatewayStore.busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "gatehouse"
        do {
            if location == ":memory:" {
                writer = try DatabaseQueue(configuration: configuration)
            } else {
                let directory = URL(fileURLWithPath: location).deletingLastPathComponent()
                // The state holds API key values: a new folder and a new file are its owner's alone.
                try FileManager.default.createDirectory(
                    at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                // Processes that open the same new file at once take turns to create and migrate it.
                let lock = try OpenLock(path: location + ".lock")
                defer { lock.release() }
                // SQLite gives the -wal and -shm files the mode of the database file.
                let created = open(location, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600)
                if created >= 0 { close(created) }
                let pool = try DatabasePool(path: location, configuration: configuration)
                // Durable against a process crash (WAL); the last commits may be lost only on power loss.
                try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = NORMAL") }
                try Schema.migrator.migrate(pool)
                writer = pool
            }
            if location == ":memory:" { try Schema.migrator.migrate(writer) }
            backend = .sqlite(writer)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.wrap(error, location: location)
        }
    }

    /// The default state file: `$XDG_STATE_HOME/gatehouse/gatehouse.sqlite`, `~/.local/state/...` when unset.
    public static func defaultLocation(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base: String
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty {
            base = state
        } else {
            let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
            base = home + "/.local/state"
        }
        return base + "/gatehouse/gatehouse.sqlite"
    }

    /// SQLite's own check of the file: empty when the database is sound, else what is wrong.
    public func integrityCheck() throws -> [String] {
        let rows = try read { access in try access.integrityCheck() }
        return rows == ["ok"] ? [] : rows
    }

    /// Runs `body` in a read transaction.
    public func read<T>(_ body: (StoreAccess) throws -> T) throws -> T {
        switch backend {
        case .sqlite(let writer):
            try reportingErrors { try writer.read { db in try body(StoreAccess(session: SQLiteSession(db: db))) } }
        case .postgres(let postgres):
            try postgres.transaction(.read) { try body(StoreAccess(session: $0)) }
        }
    }

    /// Runs `body` in one write transaction: all of it is committed, or none of it when it throws. The
    /// transaction also advances the state's generation.
    public func write<T>(_ body: (StoreAccess) throws -> T) throws -> T {
        switch backend {
        case .sqlite(let writer):
            try reportingErrors {
                try writer.write { db in
                    let result = try body(StoreAccess(session: SQLiteSession(db: db)))
                    try db.execute(sql: "UPDATE meta SET value = value + 1 WHERE key = 'generation'")
                    return result
                }
            }
        case .postgres(let postgres):
            try postgres.transaction(.write) { try body(StoreAccess(session: $0)) }
        }
    }

    /// Runs `body` in a write transaction that does not count as a change of configuration (quota counters).
    public func writeCounters<T>(_ body: (StoreAccess) throws -> T) throws -> T {
        switch backend {
        case .sqlite(let writer):
            try reportingErrors { try writer.write { db in try body(StoreAccess(session: SQLiteSession(db: db))) } }
        case .postgres(let postgres):
            try postgres.transaction(.counters) { try body(StoreAccess(session: $0)) }
        }
    }

    /// How many changes have been committed to the state, by any process.
    public func generation() throws -> Int {
        try read { try $0.generation() }
    }

    /// Lets the caller's own errors through and turns SQLite's into a `StoreError` that names the file.
    private func reportingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as GatewayError {
            throw error
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError.wrap(error, location: location)
        }
    }
}

/// An exclusive lock on a file beside the state, held while a process opens and migrates the state.
struct OpenLock {
    let descriptor: Int32

    init(path: String) throws {
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError("Cannot create the lock file \(path): \(String(cString: strerror(errno)))")
        }
        while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// A failure of the state file itself.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    static func wrap(_ error: Error, location: String) -> StoreError {
        if let database = error as? DatabaseError {
            switch database.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return StoreError(
                    "The state file \(location) is busy: another Gatehouse process is writing to it. Try again, or use --state to pick another file"
                )
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                return StoreError(
                    "The state file \(location) is not a Gatehouse state database (\(database.message ?? "not a database"))"
                )
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
                return StoreError("Cannot open the state file \(location): \(database.message ?? "permission denied")")
            default:
                return StoreError("State file \(location): \(database.message ?? "\(database)")")
            }
        }
        return StoreError("State file \(location): \(error.localizedDescription)")
    }
}
