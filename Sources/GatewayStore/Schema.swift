import GRDB

/// The database schema and its versioned migrations. Each object is stored as its JSON encoding in `data`,
/// beside the columns that identify it and tie it to its owner.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
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
                    """)
        }
        migrator.registerMigration("v2-generation") { db in
            // Counts committed changes, so that another process serving the same file sees when to reload.
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    INSERT INTO meta (key, value) VALUES ('generation', 0);
                    """)
        }
        migrator.registerMigration("v3-domain-names") { db in
            try db.execute(sql: "CREATE TABLE domain_name (id TEXT PRIMARY KEY, data BLOB NOT NULL);")
        }
        migrator.registerMigration("v4-authorizers") { db in
            try db.execute(
                sql: """
                    CREATE TABLE authorizer (
                        api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                        id TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (api_id, id));
                    """)
        }
        migrator.registerMigration("v5-daily-usage") { db in
            // Requests per key, plan and UTC day, for GetUsage.
            try db.execute(
                sql: """
                    CREATE TABLE usage_daily (
                        plan_id TEXT NOT NULL, key_id TEXT NOT NULL, day TEXT NOT NULL, used INTEGER NOT NULL,
                        PRIMARY KEY (plan_id, key_id, day));
                    """)
        }
        migrator.registerMigration("v6-functions") { db in
            // Lambda functions Gatehouse runs, by name.
            try db.execute(sql: "CREATE TABLE lambda_function (id TEXT PRIMARY KEY, data BLOB NOT NULL);")
        }
        migrator.registerMigration("v7-user-pools") { db in
            // Cognito user pools whose tokens COGNITO_USER_POOLS authorizers verify, by pool id.
            try db.execute(sql: "CREATE TABLE user_pool (id TEXT PRIMARY KEY, data BLOB NOT NULL);")
        }
        migrator.registerMigration("v8-documentation") { db in
            // An API's documentation parts (its working copy) and its published documentation versions.
            try db.execute(
                sql: """
                    CREATE TABLE documentation_part (
                        api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                        id TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (api_id, id));
                    CREATE TABLE documentation_version (
                        api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                        id TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (api_id, id));
                    """)
        }
        return migrator
    }
}
