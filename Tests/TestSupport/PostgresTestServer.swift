import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL database of its own for one test: in the server `Tests/Scripts/test` started
/// (`GATEHOUSE_TEST_POSTGRES`, its URL), or else in a server this test starts with `Tests/Scripts/postgres` and
/// stops in `stop()`. Each database is new and empty.
public struct PostgresTestDatabase: Sendable {
    /// The database's URL, for `--state`.
    public let url: String
    /// The server's data folder, when this test started the server (stopped with it).
    let ownedServer: String?

    /// The environment variable that names a running server (its `postgres` database).
    public static let environmentKey = "GATEHOUSE_TEST_POSTGRES"

    /// `Tests/Scripts/postgres`, which starts, restarts and stops the servers.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scripts/postgres").path

    /// Whether the control-plane tests should run on PostgreSQL (`GATEHOUSE_TEST_STATE=postgres`).
    public static var controlTestsOnPostgres: Bool {
        ProcessInfo.processInfo.environment["GATEHOUSE_TEST_STATE"] == "postgres"
            && ProcessInfo.processInfo.environment[environmentKey] != nil
    }

    /// A new database: in the shared test server when there is one (and `ownServer` is false), else in a server
    /// of its own (one the test may restart).
    public static func make(ownServer: Bool = false) throws -> PostgresTestDatabase {
        if !ownServer, let server = ProcessInfo.processInfo.environment[environmentKey], !server.isEmpty {
            return PostgresTestDatabase(url: try createDatabase(in: server), ownedServer: nil)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gatehouse-pg-\(UUID().uuidString.prefix(8))")
        // The server runs as the postgres user when the tests run as root: it must reach its folder.
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let started = try runProgram(script, ["start", directory.path + "/pg"])
        guard started.status == 0, let server = started.output.split(separator: "\n").last.map(String.init) else {
            try? FileManager.default.removeItem(at: directory)
            throw PostgresTestError(message: "Tests/Scripts/postgres start failed: \(started.output)")
        }
        do {
            return PostgresTestDatabase(url: try createDatabase(in: server), ownedServer: directory.path)
        } catch {
            _ = try? runProgram(script, ["stop", directory.path + "/pg"])
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Stops the server this test started (nothing for the shared one).
    public func stop() {
        guard let ownedServer else { return }
        _ = try? runProgram(
            PostgresTestDatabase.script, ["stop", ownedServer + "/pg"])
        try? FileManager.default.removeItem(atPath: ownedServer)
    }

    /// Restarts the server (only one this test started): PostgreSQL going away and coming back on the same port.
    public func restartServer() throws {
        guard let ownedServer else {
            throw PostgresTestError(message: "only a server the test started itself can be restarted")
        }
        let result = try runProgram(
            PostgresTestDatabase.script, ["restart", ownedServer + "/pg"])
        guard result.status == 0 else { throw PostgresTestError(message: "restart failed: \(result.output)") }
    }

    /// Runs one SQL statement with psql against this database; its output, unaligned, without headers.
    public func psql(_ sql: String) throws -> String {
        let result = try runProgram("/usr/bin/psql", ["-X", "-q", "-A", "-t", "-c", sql, url])
        guard result.status == 0 else { throw PostgresTestError(message: "psql: \(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func createDatabase(in server: String) throws -> String {
        let name = "gatehouse_test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let result = try runProgram("/usr/bin/psql", ["-X", "-q", "-c", "CREATE DATABASE \(name)", server])
        guard result.status == 0 else {
            throw PostgresTestError(message: "CREATE DATABASE on \(server) failed: \(result.output)")
        }
        guard let slash = server.range(of: "/", options: .backwards) else {
            throw PostgresTestError(message: "\(server) names no database")
        }
        return server[..<slash.upperBound] + name
    }
}

/// Runs a program to its end; its exit status and what it wrote to standard output and error together. Spawned
/// and reaped with posix_spawn and waitpid: Foundation's `Process.waitUntilExit` can miss a child that ends at
/// once and wait for ever.
public func runProgram(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    var pipe: [Int32] = [0, 0]
    guard pipe.withUnsafeMutableBufferPointer({ Glibc.pipe($0.baseAddress!) }) == 0 else {
        throw PostgresTestError(message: "pipe: \(String(cString: strerror(errno)))")
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, pipe[1], 2)
    // Neither end stays open in the child beyond its output: a server it leaves running must not hold the pipe.
    posix_spawn_file_actions_addclose(&actions, pipe[0])
    posix_spawn_file_actions_addclose(&actions, pipe[1])
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for argument in argv { free(argument) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    close(pipe[1])
    guard spawned == 0 else {
        close(pipe[0])
        throw PostgresTestError(message: "cannot run \(executable): \(String(cString: strerror(spawned)))")
    }
    var output = Data()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = read(pipe[0], &buffer, buffer.count)
        if count > 0 {
            output.append(contentsOf: buffer[0..<count])
        } else if count == 0 || errno != EINTR {
            break
        }
    }
    close(pipe[0])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (exitStatus, String(decoding: output, as: UTF8.self))
}

public struct PostgresTestError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
