import GRDB

/// The SQLite schema, as numbered migrations that run when the store opens.
///
/// Times are Unix seconds (`REAL`); identifiers are UUID strings; a user's groups and roles and security answers
/// sit in tables of their own so that they can be queried. Never edit a migration that has shipped: add one.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("001 initial schema") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL UNIQUE,
                    display_name TEXT NOT NULL,
                    given_name TEXT NOT NULL,
                    surname TEXT NOT NULL,
                    enabled INTEGER NOT NULL,
                    source TEXT NOT NULL,
                    password_hash TEXT,
                    password_changed_at REAL,
                    lockout_failures INTEGER NOT NULL DEFAULT 0,
                    locked_until REAL,
                    lockout_recent TEXT NOT NULL DEFAULT '',
                    locale TEXT,
                    authentication_phone TEXT,
                    authentication_email TEXT,
                    mobile_phone TEXT,
                    office_phone TEXT,
                    alternate_email TEXT,
                    registered_at REAL,
                    last_confirmed_at REAL,
                    created_at REAL NOT NULL
                );
                CREATE TABLE user_roles (
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    role TEXT NOT NULL,
                    PRIMARY KEY (user_id, role)
                );
                CREATE INDEX user_roles_role ON user_roles(role);
                CREATE TABLE user_groups (
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    group_name TEXT NOT NULL,
                    PRIMARY KEY (user_id, group_name)
                );
                CREATE INDEX user_groups_group ON user_groups(group_name);
                CREATE TABLE security_answers (
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    question TEXT NOT NULL,
                    answer_hash TEXT NOT NULL,
                    PRIMARY KEY (user_id, position)
                );
                CREATE TABLE policy (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    version INTEGER NOT NULL,
                    body TEXT NOT NULL
                );
                CREATE TABLE code_challenges (
                    id TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    purpose TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    destination TEXT NOT NULL,
                    mac BLOB NOT NULL,
                    issued_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    attempts_left INTEGER NOT NULL,
                    consumed_at REAL
                );
                CREATE INDEX code_challenges_expires ON code_challenges(expires_at);
                CREATE TABLE throttles (
                    kind TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    window_start REAL NOT NULL,
                    blocked_until REAL,
                    last_refused INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (kind, subject)
                );
                CREATE TABLE audit_events (
                    id TEXT PRIMARY KEY NOT NULL,
                    at REAL NOT NULL,
                    activity TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    target TEXT NOT NULL,
                    status TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    failure_reason TEXT,
                    request_id TEXT
                );
                CREATE INDEX audit_events_at ON audit_events(at);
                CREATE TABLE reset_activities (
                    id TEXT PRIMARY KEY NOT NULL,
                    at REAL NOT NULL,
                    user_id TEXT NOT NULL,
                    role TEXT NOT NULL,
                    methods TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    request_id TEXT
                );
                CREATE INDEX reset_activities_at ON reset_activities(at);
                CREATE TABLE registration_activities (
                    id TEXT PRIMARY KEY NOT NULL,
                    at REAL NOT NULL,
                    user_id TEXT NOT NULL,
                    role TEXT NOT NULL,
                    data_registered TEXT NOT NULL
                );
                CREATE INDEX registration_activities_at ON registration_activities(at);
                CREATE TABLE api_tokens (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    digest TEXT NOT NULL UNIQUE,
                    created_at REAL NOT NULL,
                    last_used_at REAL,
                    revoked_at REAL
                );
                """)
        }
        migrator.registerMigration("002 sessions") { db in
            try db.execute(sql: """
                CREATE TABLE sessions (
                    key TEXT PRIMARY KEY NOT NULL,
                    data BLOB NOT NULL,
                    expires_at REAL NOT NULL
                );
                CREATE INDEX sessions_expires ON sessions(expires_at);
                """)
        }
        migrator.registerMigration("003 outbox") { db in
            try db.execute(sql: """
                CREATE TABLE outbox (
                    id TEXT PRIMARY KEY NOT NULL,
                    channel TEXT NOT NULL,
                    sealed BLOB,
                    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    enqueued_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    next_attempt_at REAL NOT NULL,
                    lease_owner TEXT,
                    lease_until REAL,
                    last_error TEXT,
                    finished_at REAL
                );
                CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
                CREATE INDEX outbox_finished ON outbox(finished_at);
                """)
        }
        migrator.registerMigration("004 branding") { db in
            try db.execute(sql: "CREATE TABLE branding (id INTEGER PRIMARY KEY CHECK (id = 1), type TEXT NOT NULL, data BLOB NOT NULL)")
        }
        // Sessions saved before this have no user in the index, and would outlive the very changes it exists to end
        // (a reset, disabling): they end, and their users sign in again once.
        migrator.registerMigration("005 session users") { db in
            try db.execute(sql: """
                DELETE FROM sessions;
                ALTER TABLE sessions ADD COLUMN user_id TEXT;
                CREATE INDEX sessions_user ON sessions(user_id);
                """)
        }
        // Tokens made before scopes keep doing everything, and never expire.
        migrator.registerMigration("006 token scopes") { db in
            try db.execute(sql: """
                ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'full' CHECK (scope IN ('read', 'users', 'full'));
                ALTER TABLE api_tokens ADD COLUMN expires_at REAL;
                """)
        }
        migrator.registerMigration("007 sign-in lockouts") { db in
            try db.execute(sql: """
                CREATE TABLE sign_in_lockouts (
                    subject TEXT PRIMARY KEY NOT NULL,
                    failures INTEGER NOT NULL,
                    locked_until REAL,
                    recent TEXT NOT NULL,
                    last_failure REAL,
                    expires_at REAL NOT NULL
                );
                CREATE INDEX sign_in_lockouts_expires ON sign_in_lockouts(expires_at);
                ALTER TABLE users ADD COLUMN lockout_last_failure REAL;
                """)
        }
        // The wrong passwords since the last quiet spell (docs/security.md#directory-lockout).
        migrator.registerMigration("008 lockout streak") { db in
            try db.execute(sql: """
                ALTER TABLE users ADD COLUMN lockout_streak INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE users ADD COLUMN lockout_streak_at REAL;
                ALTER TABLE sign_in_lockouts ADD COLUMN streak INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE sign_in_lockouts ADD COLUMN streak_at REAL;
                """)
        }
        // Every write moves a session's version on, and an update names the version it read
        // (docs/security.md#session-writes-across-instances).
        migrator.registerMigration("009 session versions") { db in
            try db.execute(sql: "ALTER TABLE sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 1")
        }
        // The authenticator app's key, sealed, and the last time step a code of it passed: written alone, by
        // compare-and-set (docs/security.md#authenticator-app).
        migrator.registerMigration("010 authenticator app") { db in
            try db.execute(sql: """
                ALTER TABLE users ADD COLUMN authenticator_secret BLOB;
                ALTER TABLE users ADD COLUMN authenticator_last_step INTEGER;
                """)
        }
        // Each unused recovery code's Argon2id hash by slot; using one deletes its row (docs/security.md#recovery-codes).
        migrator.registerMigration("011 recovery codes") { db in
            try db.execute(sql: """
                CREATE TABLE recovery_codes (
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    slot INTEGER NOT NULL,
                    code_hash TEXT NOT NULL,
                    PRIMARY KEY (user_id, slot)
                )
                """)
        }
        // The notices' "This wasn't me" links, by the MAC of their token (docs/behaviour.md#this-wasnt-me).
        migrator.registerMigration("012 report links") { db in
            try db.execute(sql: """
                CREATE TABLE report_links (
                    mac BLOB PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    event TEXT NOT NULL,
                    issued_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    consumed_at REAL
                );
                CREATE INDEX report_links_expires ON report_links(expires_at);
                """)
        }
        // One pass per user at most; only its hash (docs/behaviour.md#temporary-access-pass).
        migrator.registerMigration("013 access passes") { db in
            try db.execute(sql: """
                CREATE TABLE access_passes (
                    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    id TEXT NOT NULL UNIQUE,
                    pass_hash TEXT NOT NULL,
                    issued_by TEXT NOT NULL,
                    issued_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    single_use INTEGER NOT NULL,
                    covers_roles INTEGER NOT NULL,
                    used_at REAL
                );
                CREATE INDEX access_passes_expires ON access_passes(expires_at);
                """)
        }
        // A session's public ID names it in its user's list (docs/security.md#sessions). Sessions saved before have
        // none, nor the sign-in time the absolute lifetime counts from, so they end.
        migrator.registerMigration("014 session details") { db in
            try db.execute(sql: """
                DELETE FROM sessions;
                ALTER TABLE sessions ADD COLUMN public_id TEXT;
                CREATE INDEX sessions_public_id ON sessions(public_id);
                """)
        }
        // A password an administrator set must be changed at the next sign-in (docs/behaviour.md#administrator-set-passwords).
        migrator.registerMigration("015 password change required") { db in
            try db.execute(sql: "ALTER TABLE users ADD COLUMN password_change_required INTEGER NOT NULL DEFAULT 0")
        }
        // Passkeys by user, and answered challenges by MAC until they expire, so that none is answered twice (docs/security.md#passkeys).
        migrator.registerMigration("016 passkeys") { db in
            try db.execute(sql: """
                CREATE TABLE passkeys (
                    id TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    credential_id BLOB NOT NULL UNIQUE,
                    public_key BLOB NOT NULL,
                    algorithm INTEGER NOT NULL,
                    sign_count INTEGER NOT NULL,
                    backup_eligible INTEGER NOT NULL,
                    backed_up INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    last_used_at REAL
                );
                CREATE INDEX passkeys_user ON passkeys(user_id);
                CREATE TABLE passkey_challenges (
                    mac BLOB PRIMARY KEY NOT NULL,
                    expires_at REAL NOT NULL
                );
                CREATE INDEX passkey_challenges_expires ON passkey_challenges(expires_at);
                ALTER TABLE report_links ADD COLUMN subject TEXT;
                """)
        }
        // A million users (docs/scale.md): each user's coverage key and search terms, indexed, so that the coverage
        // chart and the user search read an index instead of every user; the logs' indexes cover the chart and the
        // user filter. Users saved before are given both when the store opens (SQLiteStore.deriveMissingColumns).
        migrator.registerMigration("017 scale") { db in
            try db.execute(sql: """
                ALTER TABLE users ADD COLUMN coverage TEXT;
                CREATE INDEX users_coverage ON users(coverage);
                CREATE TABLE user_search (
                    term TEXT NOT NULL,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    PRIMARY KEY (term, user_id)
                ) WITHOUT ROWID;
                CREATE INDEX user_search_user ON user_search(user_id);
                DROP INDEX reset_activities_at;
                CREATE INDEX reset_activities_at ON reset_activities(at, detail);
                """)
        }
        // The resets chart over a year (docs/scale.md#the-resets-chart): resets counted per day and detail as they are
        // written and pruned, so that a year is a few thousand counts to read. Rows before 1970 are left out (CAST
        // would round them into the wrong day): ResetDays counts such ranges from the rows.
        migrator.registerMigration("018 reset days") { db in
            try db.execute(sql: """
                CREATE TABLE reset_days (
                    day INTEGER NOT NULL,
                    detail TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    PRIMARY KEY (day, detail)
                ) WITHOUT ROWID;
                INSERT INTO reset_days (day, detail, count)
                    SELECT CAST(at / 86400 AS INTEGER), detail, count(*) FROM reset_activities WHERE at >= 0 GROUP BY 1, 2;
                CREATE TRIGGER reset_days_insert AFTER INSERT ON reset_activities WHEN NEW.at >= 0 BEGIN
                    INSERT INTO reset_days (day, detail, count) VALUES (CAST(NEW.at / 86400 AS INTEGER), NEW.detail, 1)
                        ON CONFLICT (day, detail) DO UPDATE SET count = count + 1;
                END;
                CREATE TRIGGER reset_days_delete AFTER DELETE ON reset_activities WHEN OLD.at >= 0 BEGIN
                    UPDATE reset_days SET count = count - 1 WHERE day = CAST(OLD.at / 86400 AS INTEGER) AND detail = OLD.detail;
                END;
                """)
        }
        return migrator
    }
}
