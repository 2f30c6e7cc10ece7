import Foundation
import GRDB

/// A value bound to a statement or read from a row.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int)
    case text(String)
    case blob(Data)

    var data: Data? {
        switch self {
        case .blob(let data): data
        case .text(let text): Data(text.utf8)
        default: nil
        }
    }

    var int: Int? {
        switch self {
        case .int(let value): value
        case .text(let text): Int(text)
        default: nil
        }
    }

    var text: String? {
        switch self {
        case .text(let text): text
        case .int(let value): String(value)
        case .blob(let data): String(decoding: data, as: UTF8.self)
        case .null: nil
        }
    }
}

/// The SQL spoken by a session's database. Statements are written once, with `?` placeholders and the SQL both
/// engines share; what differs is named here.
enum SQLDialect: Sendable {
    case sqlite, postgres

    /// The column that orders a table's rows as they were first inserted.
    var insertionOrder: String { self == .sqlite ? "rowid" : "seq" }
}

/// Where one transaction runs its statements: a SQLite connection (GRDB) or a PostgreSQL one (postgres-nio).
protocol SQLSession {
    var dialect: SQLDialect { get }
    /// Runs a statement; returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int
    /// Runs a query; returns its rows, each a list of column values.
    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]]
}

extension SQLSession {
    func column(_ sql: String, _ arguments: [SQLValue] = []) throws -> [SQLValue] {
        try rows(sql, arguments).compactMap(\.first)
    }

    func value(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLValue? {
        try rows(sql, arguments).first?.first
    }
}

/// A session on a SQLite connection inside one of GRDB's transactions.
struct SQLiteSession: SQLSession {
    let db: Database

    var dialect: SQLDialect { .sqlite }

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try db.execute(sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue)))
        return db.changesCount
    }

    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
        try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue))).map { row in
            row.databaseValues.map { value in
                switch value.storage {
                case .null: .null
                case .int64(let number): .int(Int(number))
                case .double(let number): .int(Int(number))
                case .string(let text): .text(text)
                case .blob(let data): .blob(data)
                }
            }
        }
    }
}

extension SQLValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .int(let value): value.databaseValue
        case .text(let text): text.databaseValue
        case .blob(let data): data.databaseValue
        }
    }
}

extension SQLValue {
    init(_ text: String?) { self = text.map(SQLValue.text) ?? .null }
}
