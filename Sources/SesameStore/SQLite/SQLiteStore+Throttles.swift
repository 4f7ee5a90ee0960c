import Foundation
import GRDB
import SesameCore

// MARK: ThrottleStore

extension SQLiteStore {
    /// The events in one write transaction, each by ``record(_:now:in:)``.
    public func recordEvents(_ events: [ThrottleEvent], now: Date) async throws -> [ThrottleOutcome] {
        try await write { db in
            var outcomes: [ThrottleOutcome] = []
            for event in events {
                let outcome = try Self.record(event, now: now, in: db)
                outcomes.append(outcome)
                if !outcome.allowed { break }
            }
            return outcomes
        }
    }

    /// One upsert applies ``ThrottleState/recordingEvent(_:rule:at:)``: every `SET` expression reads the row as it
    /// was, so the decision and the update cannot be separated by another writer.
    private static func record(_ event: ThrottleEvent, now: Date, in db: Database) throws -> ThrottleOutcome {
        let (key, rule) = (event.key, event.rule)
        let found = try Row.fetchOne(db, cached: """
            INSERT INTO throttles (kind, subject, count, window_start, blocked_until, last_refused)
            VALUES (:kind, :subject, 1, :now, CASE WHEN 1 >= :limit THEN :now + :block END, 0)
            ON CONFLICT (kind, subject) DO UPDATE SET
                last_refused = (throttles.blocked_until IS NOT NULL AND throttles.blocked_until > :now),
                count = CASE
                    WHEN throttles.blocked_until > :now THEN throttles.count
                    WHEN throttles.blocked_until IS NOT NULL OR :now - throttles.window_start >= :window THEN 1
                    ELSE throttles.count + 1 END,
                window_start = CASE
                    WHEN throttles.blocked_until > :now THEN throttles.window_start
                    WHEN throttles.blocked_until IS NOT NULL OR :now - throttles.window_start >= :window THEN :now
                    ELSE throttles.window_start END,
                blocked_until = CASE
                    WHEN throttles.blocked_until > :now THEN throttles.blocked_until
                    WHEN throttles.blocked_until IS NOT NULL OR :now - throttles.window_start >= :window
                        THEN CASE WHEN 1 >= :limit THEN :now + :block END
                    WHEN throttles.count + 1 >= :limit THEN :now + :block
                    ELSE NULL END
            RETURNING count, window_start, blocked_until, last_refused
            """, arguments: [
                "kind": key.kind.rawValue, "subject": key.subject, "now": now.unixSeconds, "limit": rule.limit,
                "block": rule.block, "window": rule.window,
            ])
        // An upsert with RETURNING always answers one row.
        guard let row = found else { throw StoreError.unavailable("the throttle upsert returned no row") }
        let refused: Bool = row["last_refused"]
        return ThrottleOutcome(allowed: !refused, state: try Self.throttle(from: row))
    }

    /// One read transaction, one statement a key.
    public func throttleStates(_ keys: [ThrottleKey]) async throws -> [ThrottleKey: ThrottleState] {
        guard !keys.isEmpty else { return [:] }
        return try lookUp { db in
            var states: [ThrottleKey: ThrottleState] = [:]
            for key in keys {
                if let row = try Row.fetchOne(
                    db, cached: "SELECT * FROM throttles WHERE kind = ? AND subject = ?", arguments: [key.kind.rawValue, key.subject]) {
                    states[key] = try Self.throttle(from: row)
                }
            }
            return states
        }
    }

    public func clearThrottles(subject: String, kinds: [ThrottleKind]) async throws {
        try await write { db in
            for kind in kinds {
                try db.execute(
                    cached: "DELETE FROM throttles WHERE kind = ? AND (subject = ? OR substr(subject, 1, length(?)) = ?)",
                    arguments: [kind.rawValue, subject, subject + "|", subject + "|"])
            }
        }
    }

    public func deleteThrottles(settledBefore cutoff: Date, now: Date) async throws -> Int {
        try await write { db in
            try db.execute(
                cached: "DELETE FROM throttles WHERE window_start < ? AND (blocked_until IS NULL OR blocked_until <= ?)",
                arguments: [cutoff.unixSeconds, now.unixSeconds])
            return db.changesCount
        }
    }

    static func throttle(from row: Row) throws -> ThrottleState {
        ThrottleState(count: row["count"], windowStart: try row.requiredDate("window_start"), blockedUntil: row.date("blocked_until"))
    }
}
