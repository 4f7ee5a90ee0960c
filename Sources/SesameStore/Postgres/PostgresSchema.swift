import Foundation
import SesameCore

/// The PostgreSQL schema: the same tables, columns and migration names as SQLite's (and one of its own, 019), so
/// that `sesame store copy` moves rows one for one. Times are Unix seconds (`double precision`); identifiers are UUID
/// strings; the logs carry a `seq` so that rows written in the same instant keep their order, as SQLite's `rowid`
/// does.
enum PostgresSchema {
    static let migrations: [(name: String, sql: String)] = [
        ("001 initial schema", """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                given_name TEXT NOT NULL,
                surname TEXT NOT NULL,
                enabled BOOLEAN NOT NULL,
                source TEXT NOT NULL,
                password_hash TEXT,
                password_changed_at DOUBLE PRECISION,
                lockout_failures INTEGER NOT NULL DEFAULT 0,
                locked_until DOUBLE PRECISION,
                lockout_recent TEXT NOT NULL DEFAULT '',
                locale TEXT,
                authentication_phone TEXT,
                authentication_email TEXT,
                mobile_phone TEXT,
                office_phone TEXT,
                alternate_email TEXT,
                registered_at DOUBLE PRECISION,
                last_confirmed_at DOUBLE PRECISION,
                created_at DOUBLE PRECISION NOT NULL
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
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                purpose TEXT NOT NULL,
                channel TEXT NOT NULL,
                destination TEXT NOT NULL,
                mac BYTEA NOT NULL,
                issued_at DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL,
                attempts_left INTEGER NOT NULL,
                consumed_at DOUBLE PRECISION
            );
            CREATE INDEX code_challenges_expires ON code_challenges(expires_at);
            CREATE TABLE throttles (
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                count INTEGER NOT NULL,
                window_start DOUBLE PRECISION NOT NULL,
                blocked_until DOUBLE PRECISION,
                last_refused BOOLEAN NOT NULL DEFAULT FALSE,
                PRIMARY KEY (kind, subject)
            );
            CREATE TABLE audit_events (
                id TEXT PRIMARY KEY,
                seq BIGSERIAL NOT NULL,
                at DOUBLE PRECISION NOT NULL,
                activity TEXT NOT NULL,
                actor TEXT NOT NULL,
                target TEXT NOT NULL,
                status TEXT NOT NULL,
                detail TEXT NOT NULL,
                failure_reason TEXT,
                request_id TEXT
            );
            CREATE INDEX audit_events_at ON audit_events(at, seq);
            CREATE TABLE reset_activities (
                id TEXT PRIMARY KEY,
                seq BIGSERIAL NOT NULL,
                at DOUBLE PRECISION NOT NULL,
                user_id TEXT NOT NULL,
                role TEXT NOT NULL,
                methods TEXT NOT NULL,
                detail TEXT NOT NULL,
                request_id TEXT
            );
            CREATE INDEX reset_activities_at ON reset_activities(at, seq);
            CREATE TABLE registration_activities (
                id TEXT PRIMARY KEY,
                seq BIGSERIAL NOT NULL,
                at DOUBLE PRECISION NOT NULL,
                user_id TEXT NOT NULL,
                role TEXT NOT NULL,
                data_registered TEXT NOT NULL
            );
            CREATE INDEX registration_activities_at ON registration_activities(at, seq);
            CREATE TABLE api_tokens (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                digest TEXT NOT NULL UNIQUE,
                created_at DOUBLE PRECISION NOT NULL,
                last_used_at DOUBLE PRECISION,
                revoked_at DOUBLE PRECISION
            );
            """),
        ("002 sessions", """
            CREATE TABLE sessions (
                key TEXT PRIMARY KEY,
                data BYTEA NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL
            );
            CREATE INDEX sessions_expires ON sessions(expires_at);
            """),
        ("003 outbox", """
            CREATE TABLE outbox (
                id TEXT PRIMARY KEY,
                channel TEXT NOT NULL,
                sealed BYTEA,
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                enqueued_at DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL,
                next_attempt_at DOUBLE PRECISION NOT NULL,
                lease_owner TEXT,
                lease_until DOUBLE PRECISION,
                last_error TEXT,
                finished_at DOUBLE PRECISION
            );
            CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
            CREATE INDEX outbox_finished ON outbox(finished_at);
            """),
        ("004 branding", "CREATE TABLE branding (id INTEGER PRIMARY KEY CHECK (id = 1), type TEXT NOT NULL, data BYTEA NOT NULL)"),
        // As on SQLite: sessions saved before have no user in the index, so they end.
        ("005 session users", """
            DELETE FROM sessions;
            ALTER TABLE sessions ADD COLUMN user_id TEXT;
            CREATE INDEX sessions_user ON sessions(user_id);
            """),
        // As on SQLite: tokens made before scopes keep doing everything, and never expire.
        ("006 token scopes", """
            ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'full' CHECK (scope IN ('read', 'users', 'full'));
            ALTER TABLE api_tokens ADD COLUMN expires_at DOUBLE PRECISION;
            """),
        ("007 sign-in lockouts", """
            CREATE TABLE sign_in_lockouts (
                subject TEXT PRIMARY KEY,
                failures INTEGER NOT NULL,
                locked_until DOUBLE PRECISION,
                recent TEXT NOT NULL,
                last_failure DOUBLE PRECISION,
                expires_at DOUBLE PRECISION NOT NULL
            );
            CREATE INDEX sign_in_lockouts_expires ON sign_in_lockouts(expires_at);
            ALTER TABLE users ADD COLUMN lockout_last_failure DOUBLE PRECISION;
            """),
        ("008 lockout streak", """
            ALTER TABLE users ADD COLUMN lockout_streak INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE users ADD COLUMN lockout_streak_at DOUBLE PRECISION;
            ALTER TABLE sign_in_lockouts ADD COLUMN streak INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE sign_in_lockouts ADD COLUMN streak_at DOUBLE PRECISION;
            """),
        // As on SQLite: every write moves a session's version on.
        ("009 session versions", "ALTER TABLE sessions ADD COLUMN version BIGINT NOT NULL DEFAULT 1"),
        // As on SQLite: the sealed key, and the last time step a code of it passed.
        ("010 authenticator app", """
            ALTER TABLE users ADD COLUMN authenticator_secret BYTEA;
            ALTER TABLE users ADD COLUMN authenticator_last_step BIGINT;
            """),
        ("011 recovery codes", """
            CREATE TABLE recovery_codes (
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                slot INTEGER NOT NULL,
                code_hash TEXT NOT NULL,
                PRIMARY KEY (user_id, slot)
            )
            """),
        // As on SQLite: the notices' "This wasn't me" links.
        ("012 report links", """
            CREATE TABLE report_links (
                mac BYTEA PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                event TEXT NOT NULL,
                issued_at DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL,
                consumed_at DOUBLE PRECISION
            );
            CREATE INDEX report_links_expires ON report_links(expires_at);
            """),
        ("013 access passes", """
            CREATE TABLE access_passes (
                user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                id TEXT NOT NULL UNIQUE,
                pass_hash TEXT NOT NULL,
                issued_by TEXT NOT NULL,
                issued_at DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL,
                single_use BOOLEAN NOT NULL,
                covers_roles BOOLEAN NOT NULL,
                used_at DOUBLE PRECISION
            );
            CREATE INDEX access_passes_expires ON access_passes(expires_at);
            """),
        // As on SQLite: sessions saved before have no public ID nor sign-in time, so they end.
        ("014 session details", """
            DELETE FROM sessions;
            ALTER TABLE sessions ADD COLUMN public_id TEXT;
            CREATE INDEX sessions_public_id ON sessions(public_id);
            """),
        // A password an administrator set must be changed at the next sign-in (docs/behaviour.md#administrator-set-passwords).
        ("015 password change required", """
            ALTER TABLE users ADD COLUMN password_change_required BOOLEAN NOT NULL DEFAULT FALSE;
            """),
        // As on SQLite: passkeys by user, and answered challenges until they expire (docs/security.md#passkeys).
        ("016 passkeys", """
            CREATE TABLE passkeys (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                credential_id BYTEA NOT NULL UNIQUE,
                public_key BYTEA NOT NULL,
                algorithm INTEGER NOT NULL,
                sign_count BIGINT NOT NULL,
                backup_eligible BOOLEAN NOT NULL,
                backed_up BOOLEAN NOT NULL,
                name TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                last_used_at DOUBLE PRECISION
            );
            CREATE INDEX passkeys_user ON passkeys(user_id);
            CREATE TABLE passkey_challenges (
                mac BYTEA PRIMARY KEY,
                expires_at DOUBLE PRECISION NOT NULL
            );
            CREATE INDEX passkey_challenges_expires ON passkey_challenges(expires_at);
            ALTER TABLE report_links ADD COLUMN subject TEXT;
            """),
        // As on SQLite (docs/scale.md): coverage keys and search terms, indexed; terms compare byte by byte ("C"), so
        // that a prefix is a range of the index. Users saved before get both when the store opens.
        ("017 scale", """
            ALTER TABLE users ADD COLUMN coverage TEXT;
            CREATE INDEX users_coverage ON users(coverage);
            CREATE TABLE user_search (
                term TEXT COLLATE "C" NOT NULL,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                PRIMARY KEY (term, user_id)
            );
            CREATE INDEX user_search_user ON user_search(user_id);
            CREATE INDEX reset_activities_day ON reset_activities(at, detail);
            """),
        // As on SQLite (docs/scale.md#the-resets-chart): resets counted per day and detail as they are written and
        // pruned, once a statement, so that a batch is one update per day it touches. Each count is spread over eight
        // rows picked at random, so that resets recorded at once do not queue on one row's lock; a prune adds
        // negative counts. The log is locked while the counts are first made, so that another instance's writes
        // meanwhile wait for the triggers.
        ("018 reset days", """
            LOCK TABLE reset_activities IN SHARE ROW EXCLUSIVE MODE;
            CREATE TABLE reset_days (
                day BIGINT NOT NULL,
                detail TEXT NOT NULL,
                shard SMALLINT NOT NULL,
                count BIGINT NOT NULL,
                PRIMARY KEY (day, detail, shard)
            );
            INSERT INTO reset_days (day, detail, shard, count)
                SELECT floor(at / 86400)::BIGINT, detail, 0, count(*) FROM reset_activities GROUP BY 1, 2;
            CREATE FUNCTION reset_days_count() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO reset_days (day, detail, shard, count)
                    SELECT floor(at / 86400)::BIGINT, detail, floor(random() * 8)::SMALLINT,
                           CASE TG_OP WHEN 'INSERT' THEN count(*) ELSE -count(*) END
                    FROM changed GROUP BY 1, 2 ORDER BY 1, 2
                    ON CONFLICT (day, detail, shard) DO UPDATE SET count = reset_days.count + excluded.count;
                RETURN NULL;
            END
            $$;
            CREATE TRIGGER reset_days_insert AFTER INSERT ON reset_activities
                REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION reset_days_count();
            CREATE TRIGGER reset_days_delete AFTER DELETE ON reset_activities
                REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION reset_days_count();
            """),
        // PostgreSQL's alone (docs/scale.md#batches): a search term's foreign key was checked row by row, each check a
        // query that also locked the user's row: a seventh of an import's time at a million users. The terms are
        // written only with their user's row, in its transaction; a delete of users takes their terms with it, once
        // a statement, as the cascade did.
        ("019 search terms", """
            ALTER TABLE user_search DROP CONSTRAINT user_search_user_id_fkey;
            CREATE FUNCTION user_search_forget() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM user_search WHERE user_id IN (SELECT id FROM gone);
                RETURN NULL;
            END
            $$;
            CREATE TRIGGER user_search_forget AFTER DELETE ON users
                REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION user_search_forget();
            """),
    ]

    /// A migration's statements: split at each `;`, except within a `$$`-quoted function body.
    static func statements(of sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        for piece in sql.split(separator: ";", omittingEmptySubsequences: false) {
            current += current.isEmpty ? String(piece) : ";" + piece
            if current.components(separatedBy: "$$").count % 2 == 1 {
                statements.append(current.trimmingWhiteSpaceAndNewlines())
                current = ""
            }
        }
        statements.append(current.trimmingWhiteSpaceAndNewlines())
        return statements.filter { !$0.isEmpty }
    }
}
