import Foundation
import GRDB
import GatewayModel

/// The objects of the state, read and written inside one transaction.
public struct StoreAccess {
    let db: Database

    static let encoder = JSONEncoder()
    static let decoder = JSONDecoder()

    /// Tables that hold one kind of object each.
    public enum Table: String, Sendable {
        case restApi = "rest_api"
        case resource, model
        case requestValidator = "request_validator"
        case gatewayResponse = "gateway_response"
        case deployment, stage
        case apiKey = "api_key"
        case usagePlan = "usage_plan"
        case vpcLink = "vpc_link"
        case loadBalancer = "load_balancer"
        case domainName = "domain_name"
        case authorizer
        case function = "lambda_function"
        case userPool = "user_pool"
        case documentationPart = "documentation_part"
        case documentationVersion = "documentation_version"

        var scoped: Bool {
            switch self {
            case .resource, .model, .requestValidator, .gatewayResponse, .deployment, .stage, .authorizer,
                .documentationPart, .documentationVersion:
                true
            default: false
            }
        }
    }

    func encode<T: Encodable>(_ value: T) throws -> Data { try StoreAccess.encoder.encode(value) }
    func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        try StoreAccess.decoder.decode(type, from: data)
    }

    // MARK: Generic

    func integrityCheck() throws -> [String] { try String.fetchAll(db, sql: "PRAGMA integrity_check") }

    /// The state's generation as this transaction sees it (every write transaction advances it).
    public func generation() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'generation'") ?? 0
    }

    /// Every object of a table (of one API, for the tables an API owns).
    public func all<T: Decodable>(_ type: T.Type, in table: Table, api: String? = nil) throws -> [T] {
        let rows: [Data]
        if table.scoped {
            rows = try Data.fetchAll(
                db, sql: "SELECT data FROM \(table.rawValue) WHERE api_id = ? ORDER BY rowid", arguments: [api])
        } else {
            rows = try Data.fetchAll(db, sql: "SELECT data FROM \(table.rawValue) ORDER BY rowid")
        }
        return try rows.map { try decode(type, $0) }
    }

    /// One object by id, or nil.
    public func one<T: Decodable>(_ type: T.Type, in table: Table, id: String, api: String? = nil) throws -> T? {
        let data: Data?
        if table.scoped {
            data = try Data.fetchOne(
                db, sql: "SELECT data FROM \(table.rawValue) WHERE api_id = ? AND id = ?", arguments: [api, id])
        } else {
            data = try Data.fetchOne(db, sql: "SELECT data FROM \(table.rawValue) WHERE id = ?", arguments: [id])
        }
        return try data.map { try decode(type, $0) }
    }

    /// Inserts or replaces an object.
    public func save<T: Encodable>(_ value: T, in table: Table, id: String, api: String? = nil) throws {
        let data = try encode(value)
        if table.scoped {
            try db.execute(
                sql:
                    "INSERT INTO \(table.rawValue) (api_id, id, data) VALUES (?, ?, ?) ON CONFLICT(api_id, id) DO UPDATE SET data = excluded.data",
                arguments: [api, id, data])
        } else {
            try db.execute(
                sql:
                    "INSERT INTO \(table.rawValue) (id, data) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data",
                arguments: [id, data])
        }
    }

    /// Deletes an object; returns whether there was one.
    @discardableResult
    public func delete(from table: Table, id: String, api: String? = nil) throws -> Bool {
        if table.scoped {
            try db.execute(sql: "DELETE FROM \(table.rawValue) WHERE api_id = ? AND id = ?", arguments: [api, id])
        } else {
            try db.execute(sql: "DELETE FROM \(table.rawValue) WHERE id = ?", arguments: [id])
        }
        return db.changesCount > 0
    }

    /// Deletes every object of a table that an API owns.
    public func deleteAll(from table: Table, api: String) throws {
        try db.execute(sql: "DELETE FROM \(table.rawValue) WHERE api_id = ?", arguments: [api])
    }

    // MARK: Special columns

    /// Saves a model (its name is unique within the API).
    public func save(model: Model, api: String) throws {
        try db.execute(
            sql:
                "INSERT INTO model (api_id, id, name, data) VALUES (?, ?, ?, ?) ON CONFLICT(api_id, id) DO UPDATE SET name = excluded.name, data = excluded.data",
            arguments: [api, model.id, model.name, try encode(model)])
    }

    /// Saves an API key (its value is unique).
    public func save(apiKey: ApiKey) throws {
        try db.execute(
            sql:
                "INSERT INTO api_key (id, value, data) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET value = excluded.value, data = excluded.data",
            arguments: [apiKey.id, apiKey.value, try encode(apiKey)])
    }

    /// The API key with this value, if any.
    public func apiKey(withValue value: String) throws -> ApiKey? {
        try Data.fetchOne(db, sql: "SELECT data FROM api_key WHERE value = ?", arguments: [value]).map {
            try decode(ApiKey.self, $0)
        }
    }

    /// Saves a deployment with its frozen copy of the API.
    public func save(deployment: Deployment, snapshot: ApiDefinition) throws {
        try db.execute(
            sql: "INSERT INTO deployment (api_id, id, data, snapshot) VALUES (?, ?, ?, ?)",
            arguments: [deployment.restApiId, deployment.id, try encode(deployment), try encode(snapshot)])
    }

    /// Saves a deployment's own fields, keeping its frozen copy.
    public func updateDeployment(_ deployment: Deployment) throws {
        try db.execute(
            sql: "UPDATE deployment SET data = ? WHERE api_id = ? AND id = ?",
            arguments: [try encode(deployment), deployment.restApiId, deployment.id])
    }

    /// The frozen copy of the API a deployment holds.
    public func snapshot(deployment id: String, api: String) throws -> ApiDefinition? {
        try Data.fetchOne(db, sql: "SELECT snapshot FROM deployment WHERE api_id = ? AND id = ?", arguments: [api, id])
            .map { try decode(ApiDefinition.self, $0) }
    }

    // MARK: Usage plan keys

    public func addKey(_ keyId: String, toPlan planId: String) throws {
        try db.execute(sql: "INSERT INTO usage_plan_key (plan_id, key_id) VALUES (?, ?)", arguments: [planId, keyId])
    }

    @discardableResult
    public func removeKey(_ keyId: String, fromPlan planId: String) throws -> Bool {
        try db.execute(sql: "DELETE FROM usage_plan_key WHERE plan_id = ? AND key_id = ?", arguments: [planId, keyId])
        return db.changesCount > 0
    }

    /// The ids of the keys in a plan.
    public func keyIds(inPlan planId: String) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT key_id FROM usage_plan_key WHERE plan_id = ? ORDER BY rowid", arguments: [planId])
    }

    /// The ids of the plans a key is in.
    public func planIds(ofKey keyId: String) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT plan_id FROM usage_plan_key WHERE key_id = ? ORDER BY rowid", arguments: [keyId])
    }

    // MARK: Quota counters

    /// The requests a key has made under a plan in the period that started at `periodStart`.
    public func quotaUsed(plan: String, key: String, periodStart: String) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT used FROM quota_usage WHERE plan_id = ? AND key_id = ? AND period_start = ?",
            arguments: [plan, key, periodStart]) ?? 0
    }

    /// Requests a key made under a plan on each UTC day from `from` to `to` (ISO dates, both included).
    public func dailyUsage(plan: String, key: String, from: String, to: String) throws -> [String: Int] {
        let rows = try Row.fetchAll(
            db, sql: "SELECT day, used FROM usage_daily WHERE plan_id = ? AND key_id = ? AND day BETWEEN ? AND ?",
            arguments: [plan, key, from, to])
        return Dictionary(rows.map { ($0["day"] as String, $0["used"] as Int) }, uniquingKeysWith: { $1 })
    }

    /// Records the requests a key made under a plan on a UTC day.
    public func setDailyUsage(_ used: Int, plan: String, key: String, day: String) throws {
        try db.execute(
            sql:
                "INSERT INTO usage_daily (plan_id, key_id, day, used) VALUES (?, ?, ?, ?) ON CONFLICT(plan_id, key_id, day) DO UPDATE SET used = excluded.used",
            arguments: [plan, key, day, used])
    }

    /// Records the requests a key has made in a period.
    public func setQuotaUsed(_ used: Int, plan: String, key: String, periodStart: String) throws {
        try db.execute(
            sql:
                "INSERT INTO quota_usage (plan_id, key_id, period_start, used) VALUES (?, ?, ?, ?) ON CONFLICT(plan_id, key_id) DO UPDATE SET period_start = excluded.period_start, used = excluded.used",
            arguments: [plan, key, periodStart, used])
    }
}
