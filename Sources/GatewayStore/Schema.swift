import GRDB

/// The database schema and its versioned migrations. Each object is stored as its JSON encoding in `data`,
/// beside the columns that identify it and tie it to its owner. The steps are written in SQLite's SQL; PostgreSQL
/// runs the same steps translated (`postgres(_:)`).
enum Schema {
    /// The migrations in order: an identifier each, and its statements.
    static let steps: [(identifier: String, sql: String)] = [
        (
            "v1",
            """
            CREATE TABLE rest_api (id TEXT PRIMARY KEY, data BLOB NOT NULL);
            CREATE TABLE resource (
                api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                id TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (api_id, id));
            CREATE TABLE model (
                api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                id TEXT NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL,
                PRIMARY KEY (api_id, id), UNIQUE (api_id, name));
            CREATE TABLE request_validator (
                api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                id TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (api_id, id));
            CREATE TABLE gateway_response (
                api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                id TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (api_id, id));
            CREATE TABLE deployment (
                api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                id TEXT NOT NULL, data BLOB NOT NULL, snapshot BLOB NOT NULL, PRIMARY KEY (api_id, id));
            CREATE TABLE stage (
                api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                id TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (api_id, id));
            CREATE TABLE api_key (id TEXT PRIMARY KEY, value TEXT NOT NULL UNIQUE, data BLOB NOT NULL);
            CREATE TABLE usage_plan (id TEXT PRIMARY KEY, data BLOB NOT NULL);
            CREATE TABLE usage_plan_key (
                plan_id TEXT NOT NULL REFERENCES usage_plan(id) ON DELETE CASCADE,
                key_id TEXT NOT NULL REFERENCES api_key(id) ON DELETE CASCADE,
                PRIMARY KEY (plan_id, key_id));
            CREATE TABLE vpc_link (id TEXT PRIMARY KEY, data BLOB NOT NULL);
            CREATE TABLE load_balancer (id TEXT PRIMARY KEY, data BLOB NOT NULL);
            CREATE TABLE quota_usage (
                plan_id TEXT NOT NULL, key_id TEXT NOT NULL, period_start TEXT NOT NULL,
                used INTEGER NOT NULL, PRIMARY KEY (plan_id, key_id));
            """
        ),
        // Counts committed changes, so that another process serving the same file sees when to reload.
        (
            "v2-generation",
            """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            INSERT INTO meta (key, value) VALUES ('generation', 0);
            """
        ),
        ("v3-domain-names", "CREATE TABLE domain_name (id TEXT PRIMARY KEY, data BLOB NOT NULL);"),
        (
            "v4-authorizers",
            """
            CREATE TABLE authorizer (
                api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                id TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (api_id, id));
            """
        ),
        // Requests per key, plan and UTC day, for GetUsage.
        (
            "v5-daily-usage",
            """
            CREATE TABLE usage_daily (
                plan_id TEXT NOT NULL, key_id TEXT NOT NULL, day TEXT NOT NULL, used INTEGER NOT NULL,
                PRIMARY KEY (plan_id, key_id, day));
            """
        ),
        // Lambda functions Gatehouse runs, by name.
        ("v6-functions", "CREATE TABLE lambda_function (id TEXT PRIMARY KEY, data BLOB NOT NULL);"),
        // Cognito user pools whose tokens COGNITO_USER_POOLS authorizers verify, by pool id.
        ("v7-user-pools", "CREATE TABLE user_pool (id TEXT PRIMARY KEY, data BLOB NOT NULL);"),
        // An API's documentation parts (its working copy) and its published documentation versions.
        (
            "v8-documentation",
            """
            CREATE TABLE documentation_part (
                api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                id TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (api_id, id));
            CREATE TABLE documentation_version (
                api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                id TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (api_id, id));
            """
        ),
    ]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for step in steps {
            migrator.registerMigration(step.identifier) { db in try db.execute(sql: step.sql) }
        }
        return migrator
    }

    /// PostgreSQL's migrations: the same steps with PostgreSQL's types, each table with a `seq` column that keeps
    /// the order rows were inserted in (SQLite's rowid), and the cluster's own tables.
    static var postgresSteps: [(identifier: String, sql: String)] {
        steps.map { ($0.identifier, postgres($0.sql)) } + [
            (
                "v9-nodes",
                """
                CREATE TABLE node (
                    id TEXT PRIMARY KEY, address TEXT NOT NULL, pid BIGINT NOT NULL,
                    started_at TIMESTAMPTZ NOT NULL DEFAULT now(), heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    generation BIGINT NOT NULL DEFAULT 0, flushed_at TIMESTAMPTZ);
                """
            )
        ]
    }

    /// One step's SQLite statements in PostgreSQL's words.
    static func postgres(_ sql: String) -> String {
        var translated = sql.replacingOccurrences(of: " BLOB", with: " BYTEA")
            .replacingOccurrences(of: " INTEGER", with: " BIGINT")
        var result = ""
        while let range = translated.range(of: #"CREATE TABLE [a-z_]+ \("#, options: .regularExpression) {
            result += translated[..<range.upperBound] + "seq BIGSERIAL, "
            translated = String(translated[range.upperBound...])
        }
        return result + translated
    }
}
