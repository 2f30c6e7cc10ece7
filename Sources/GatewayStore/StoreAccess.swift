import Foundation
import GatewayModel

/// The objects of the state, read and written inside one transaction.
public struct StoreAccess {
    let session: any SQLSession

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

    func integrityCheck() throws -> [String] {
        // PostgreSQL keeps its own pages sound (checksums, WAL); SQLite's check reads the whole file.
        guard session.dialect == .sqlite else { return ["ok"] }
        return try session.column("PRAGMA integrity_check").compactMap(\.text)
    }

    /// The state's generation as this transaction sees it (every write transaction advances it).
    public func generation() throws -> Int {
        try session.value("SELECT value FROM meta WHERE key = 'generation'")?.int ?? 0
    }

    private func datas(_ sql: String, _ arguments: [SQLValue]) throws -> [Data] {
        try session.column(sql, arguments).compactMap(\.data)
    }

    private var order: String { session.dialect.insertionOrder }

    /// Every object of a table (of one API, for the tables an API owns).
    public func all<T: Decodable>(_ type: T.Type, in table: Table, api: String? = nil) throws -> [T] {
        let rows: [Data]
        if table.scoped {
            rows = try datas("SELECT data FROM \(table.rawValue) WHERE api_id = ? ORDER BY \(order)", [SQLValue(api)])
        } else {
            rows = try datas("SELECT data FROM \(table.rawValue) ORDER BY \(order)", [])
        }
        return try rows.map { try decode(type, $0) }
    }

    /// One object by id, or nil.
    public func one<T: Decodable>(_ type: T.Type, in table: Table, id: String, api: String? = nil) throws -> T? {
        let data: Data?
        if table.scoped {
            data = try datas(
                "SELECT data FROM \(table.rawValue) WHERE api_id = ? AND id = ?", [SQLValue(api), .text(id)]
            )
            .first
        } else {
            data = try datas("SELECT data FROM \(table.rawValue) WHERE id = ?", [.text(id)]).first
        }
        return try data.map { try decode(type, $0) }
    }

    /// Inserts or replaces an object.
    public func save<T: Encodable>(_ value: T, in table: Table, id: String, api: String? = nil) throws {
        let data = try encode(value)
        if table.scoped {
            try session.execute(
                "INSERT INTO \(table.rawValue) (api_id, id, data) VALUES (?, ?, ?) ON CONFLICT(api_id, id) DO UPDATE SET data = excluded.data",
                [SQLValue(api), .text(id), .blob(data)])
        } else {
            try session.execute(
                "INSERT INTO \(table.rawValue) (id, data) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data",
                [.text(id), .blob(data)])
        }
    }

    /// Deletes an object; returns whether there was one.
    @discardableResult
    public func delete(from table: Table, id: String, api: String? = nil) throws -> Bool {
        if table.scoped {
            return try session.execute(
                "DELETE FROM \(table.rawValue) WHERE api_id = ? AND id = ?", [SQLValue(api), .text(id)]) > 0
        }
        return try session.execute("DELETE FROM \(table.rawValue) WHERE id = ?", [.text(id)]) > 0
    }

    /// Deletes every object of a table that an API owns.
    public func deleteAll(from table: Table, api: String) throws {
        try session.execute("DELETE FROM \(table.rawValue) WHERE api_id = ?", [.text(api)])
    }

    // MARK: Special columns

    /// Saves a model (its name is unique within the API).
    public func save(model: Model, api: String) throws {
        try session.execute(
            "INSERT INTO model (api_id, id, name, data) VALUES (?, ?, ?, ?) ON CONFLICT(api_id, id) DO UPDATE SET name = excluded.name, data = excluded.data",
            [.text(api), .text(model.id), .text(model.name), .blob(try encode(model))])
    }

    /// Saves an API key (its value is unique).
    public func save(apiKey: ApiKey) throws {
        try session.execute(
            "INSERT INTO api_key (id, value, data) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET value = excluded.value, data = excluded.data",
            [.text(apiKey.id), .text(apiKey.value), .blob(try encode(apiKey))])
    }

    /// The API key with this value, if any.
    public func apiKey(withValue value: String) throws -> ApiKey? {
        try datas("SELECT data FROM api_key WHERE value = ?", [.text(value)]).first.map { try decode(ApiKey.self, $0) }
    }

    /// Saves a deployment with its frozen copy of the API.
    public func save(deployment: Deployment, snapshot: ApiDefinition) throws {
        try session.execute(
            "INSERT INTO deployment (api_id, id, data, snapshot) VALUES (?, ?, ?, ?)",
            [
                .text(deployment.restApiId), .text(deployment.id), .blob(try encode(deployment)),
                .blob(try encode(snapshot)),
            ])
    }

    /// Saves a deployment's own fields, keeping its frozen copy.
    public func updateDeployment(_ deployment: Deployment) throws {
        try session.execute(
            "UPDATE deployment SET data = ? WHERE api_id = ? AND id = ?",
            [.blob(try encode(deployment)), .text(deployment.restApiId), .text(deployment.id)])
    }

    /// The frozen copy of the API a deployment holds.
    public func snapshot(deployment id: String, api: String) throws -> ApiDefinition? {
        try datas("SELECT snapshot FROM deployment WHERE api_id = ? AND id = ?", [.text(api), .text(id)]).first.map {
            try decode(ApiDefinition.self, $0)
        }
    }

    // MARK: Usage plan keys

    public func addKey(_ keyId: String, toPlan planId: String) throws {
        try session.execute(
            "INSERT INTO usage_plan_key (plan_id, key_id) VALUES (?, ?)", [.text(planId), .text(keyId)])
    }

    @discardableResult
    public func removeKey(_ keyId: String, fromPlan planId: String) throws -> Bool {
        try session.execute(
            "DELETE FROM usage_plan_key WHERE plan_id = ? AND key_id = ?", [.text(planId), .text(keyId)]) > 0
    }

    /// The ids of the keys in a plan.
    public func keyIds(inPlan planId: String) throws -> [String] {
        try session.column("SELECT key_id FROM usage_plan_key WHERE plan_id = ? ORDER BY \(order)", [.text(planId)])
            .compactMap(\.text)
    }

    /// The ids of the plans a key is in.
    public func planIds(ofKey keyId: String) throws -> [String] {
        try session.column("SELECT plan_id FROM usage_plan_key WHERE key_id = ? ORDER BY \(order)", [.text(keyId)])
            .compactMap(\.text)
    }

    // MARK: Quota counters

    /// The requests a key has made under a plan in the period that started at `periodStart`.
    public func quotaUsed(plan: String, key: String, periodStart: String) throws -> Int {
        try session.value(
            "SELECT used FROM quota_usage WHERE plan_id = ? AND key_id = ? AND period_start = ?",
            [.text(plan), .text(key), .text(periodStart)])?.int ?? 0
    }

    /// Requests a key made under a plan on each UTC day from `from` to `to` (ISO dates, both included).
    public func dailyUsage(plan: String, key: String, from: String, to: String) throws -> [String: Int] {
        let rows = try session.rows(
            "SELECT day, used FROM usage_daily WHERE plan_id = ? AND key_id = ? AND day BETWEEN ? AND ?",
            [.text(plan), .text(key), .text(from), .text(to)])
        return Dictionary(
            rows.compactMap { row in row[0].text.flatMap { day in row[1].int.map { (day, $0) } } },
            uniquingKeysWith: { $1 })
    }

    /// Records the requests a key made under a plan on a UTC day.
    public func setDailyUsage(_ used: Int, plan: String, key: String, day: String) throws {
        try session.execute(
            "INSERT INTO usage_daily (plan_id, key_id, day, used) VALUES (?, ?, ?, ?) ON CONFLICT(plan_id, key_id, day) DO UPDATE SET used = excluded.used",
            [.text(plan), .text(key), .text(day), .int(used)])
    }

    /// Records the requests a key has made in a period.
    public func setQuotaUsed(_ used: Int, plan: String, key: String, periodStart: String) throws {
        try session.execute(
            "INSERT INTO quota_usage (plan_id, key_id, period_start, used) VALUES (?, ?, ?, ?) ON CONFLICT(plan_id, key_id) DO UPDATE SET period_start = excluded.period_start, used = excluded.used",
            [.text(plan), .text(key), .text(periodStart), .int(used)])
    }

    /// Adds `requests` to a key's count in the period that started at `periodStart` (a later period starts the
    /// count anew; a count for an earlier period than the stored one is dropped) and returns the stored count for
    /// that period: the cluster's, as every node adds its own.
    public func addQuotaUsed(_ requests: Int, plan: String, key: String, periodStart: String) throws -> Int {
        try session.execute(
            """
            INSERT INTO quota_usage (plan_id, key_id, period_start, used) VALUES (?, ?, ?, ?)
            ON CONFLICT(plan_id, key_id) DO UPDATE SET
            used = CASE WHEN quota_usage.period_start = excluded.period_start THEN quota_usage.used + excluded.used
                WHEN quota_usage.period_start < excluded.period_start THEN excluded.used ELSE quota_usage.used END,
            period_start = CASE WHEN quota_usage.period_start < excluded.period_start THEN excluded.period_start
                ELSE quota_usage.period_start END
            """, [.text(plan), .text(key), .text(periodStart), .int(requests)])
        return try quotaUsed(plan: plan, key: key, periodStart: periodStart)
    }

    /// Counts up to `requests` in advance, as far as `limit` allows: the first upsert locks the key's row (on
    /// PostgreSQL until the transaction ends, so that reservations of several nodes follow one another; the next
    /// statement then reads the newest count). Answers what was granted and the stored count after.
    public func reserveQuota(_ requests: Int, limit: Int, plan: String, key: String, periodStart: String) throws
        -> (granted: Int, stored: Int)
    {
        let before = try addQuotaUsed(0, plan: plan, key: key, periodStart: periodStart)
        let granted = max(0, min(requests, limit - before))
        guard granted > 0 else { return (0, before) }
        return (granted, try addQuotaUsed(granted, plan: plan, key: key, periodStart: periodStart))
    }

    /// Adds `requests` to a key's count under a plan on a UTC day; returns the stored count.
    public func addDailyUsage(_ requests: Int, plan: String, key: String, day: String) throws -> Int {
        try session.execute(
            "INSERT INTO usage_daily (plan_id, key_id, day, used) VALUES (?, ?, ?, ?) ON CONFLICT(plan_id, key_id, day) DO UPDATE SET used = usage_daily.used + excluded.used",
            [.text(plan), .text(key), .text(day), .int(requests)])
        return try dailyUsage(plan: plan, key: key, from: day, to: day)[day] ?? 0
    }
}
