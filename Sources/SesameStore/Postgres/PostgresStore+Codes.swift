import Foundation
import PostgresNIO
import SesameCore

// MARK: CodeStore and ThrottleStore

extension PostgresStore {
    public func insertChallenge(_ challenge: CodeChallenge) async throws {
        _ = try await rows("""
            INSERT INTO code_challenges (id, user_id, purpose, channel, destination, mac, issued_at, expires_at, attempts_left, consumed_at)
            VALUES (\(challenge.id.text), \(challenge.userID.text), \(challenge.purpose.rawValue), \(challenge.channel.rawValue),
                    \(challenge.destination), \(Data(challenge.mac)), \(challenge.issuedAt.unixSeconds), \(challenge.expiresAt.unixSeconds),
                    \(challenge.attemptsLeft), \(challenge.consumedAt?.unixSeconds))
            """)
    }

    public func challenge(id: UUID) async throws -> CodeChallenge? {
        try await rows("SELECT * FROM code_challenges WHERE id = \(id.text)").first.map(Self.challenge)
    }

    /// One statement takes the attempt: concurrent checks on any instance each see a different count.
    public func takeAttempt(challengeID: UUID, now: Date) async throws -> CodeChallenge? {
        try await rows("""
            UPDATE code_challenges SET attempts_left = attempts_left - 1
            WHERE id = \(challengeID.text) AND consumed_at IS NULL AND expires_at > \(now.unixSeconds) AND attempts_left > 0
            RETURNING *
            """).first.map(Self.challenge)
    }

    public func consumeChallenge(id: UUID, now: Date) async throws -> Bool {
        try await !rows("UPDATE code_challenges SET consumed_at = \(now.unixSeconds) WHERE id = \(id.text) AND consumed_at IS NULL RETURNING id").isEmpty
    }

    public func deleteChallenges(expiredBefore date: Date) async throws -> Int {
        try await rows("DELETE FROM code_challenges WHERE expires_at < \(date.unixSeconds) RETURNING id").count
    }

    static func challenge(from row: Columns) throws -> CodeChallenge {
        CodeChallenge(
            id: try row.uuid("id"), userID: try row.uuid("user_id"), purpose: try row.value(CodePurpose.self, "purpose"),
            channel: try row.value(CodeChannel.self, "channel"), destination: try row.get("destination"),
            mac: Array(try row.get("mac", as: Data.self)), issuedAt: try row.requiredDate("issued_at"), expiresAt: try row.requiredDate("expires_at"),
            attemptsLeft: try row.get("attempts_left", as: Int32.self).asInt, consumedAt: try row.date("consumed_at"))
    }

    // MARK: Throttles

    /// The events one after the other, each its own statement: in one transaction, the rows counted first would stay
    /// locked while the next are counted, and the sweeper's or a reset's delete, which takes the same rows in
    /// another order, could deadlock with it. Two more round trips, too, for no write saved.
    public func recordEvents(_ events: [ThrottleEvent], now: Date) async throws -> [ThrottleOutcome] {
        var outcomes: [ThrottleOutcome] = []
        for event in events {
            let outcome = try Self.outcome(of: try await rows(Self.upsert(event, now: now)))
            outcomes.append(outcome)
            if !outcome.allowed { break }
        }
        return outcomes
    }

    /// The same upsert as SQLite's: every `SET` expression reads the row as it was, and PostgreSQL locks the row for
    /// the statement, so the decision and the update cannot be separated by another writer on any instance.
    private static func upsert(_ event: ThrottleEvent, now: Date) -> PostgresQuery {
        let (key, now, limit, block, window) = (event.key, now.unixSeconds, event.rule.limit, Double(event.rule.block), Double(event.rule.window))
        return """
            INSERT INTO throttles AS t (kind, subject, count, window_start, blocked_until, last_refused)
            VALUES (\(key.kind.rawValue), \(key.subject), 1, \(now), CASE WHEN 1 >= \(limit) THEN \(now) + \(block) END, FALSE)
            ON CONFLICT (kind, subject) DO UPDATE SET
                last_refused = (t.blocked_until IS NOT NULL AND t.blocked_until > \(now)),
                count = CASE
                    WHEN t.blocked_until > \(now) THEN t.count
                    WHEN t.blocked_until IS NOT NULL OR \(now) - t.window_start >= \(window) THEN 1
                    ELSE t.count + 1 END,
                window_start = CASE
                    WHEN t.blocked_until > \(now) THEN t.window_start
                    WHEN t.blocked_until IS NOT NULL OR \(now) - t.window_start >= \(window) THEN \(now)
                    ELSE t.window_start END,
                blocked_until = CASE
                    WHEN t.blocked_until > \(now) THEN t.blocked_until
                    WHEN t.blocked_until IS NOT NULL OR \(now) - t.window_start >= \(window)
                        THEN CASE WHEN 1 >= \(limit) THEN \(now) + \(block) END
                    WHEN t.count + 1 >= \(limit) THEN \(now) + \(block)
                    ELSE NULL END
            RETURNING count, window_start, blocked_until, last_refused
            """
    }

    private static func outcome(of found: [Columns]) throws -> ThrottleOutcome {
        // An upsert with RETURNING always answers one row.
        guard let row = found.first else { throw StoreError.unavailable("the throttle upsert returned no row") }
        return ThrottleOutcome(allowed: !(try row.get("last_refused", as: Bool.self)), state: try throttle(from: row))
    }

    /// One statement: the keys go as two arrays, paired by `unnest`.
    public func throttleStates(_ keys: [ThrottleKey]) async throws -> [ThrottleKey: ThrottleState] {
        guard !keys.isEmpty else { return [:] }
        let found = try await rows("""
            SELECT throttles.* FROM throttles
            JOIN unnest(\(keys.map(\.kind.rawValue))::text[], \(keys.map(\.subject))::text[]) AS asked (kind, subject)
            USING (kind, subject)
            """)
        var states: [ThrottleKey: ThrottleState] = [:]
        for row in found {
            let (kind, subject) = (try row.get("kind", as: String.self), try row.get("subject", as: String.self))
            guard let key = keys.first(where: { $0.kind.rawValue == kind && $0.subject == subject }) else { continue }
            states[key] = try Self.throttle(from: row)
        }
        return states
    }

    public func clearThrottles(subject: String, kinds: [ThrottleKind]) async throws {
        _ = try await rows("""
            DELETE FROM throttles WHERE (subject = \(subject) OR starts_with(subject, \(subject + "|")))
            AND kind = ANY(\(kinds.map(\.rawValue)))
            """)
    }

    public func deleteThrottles(settledBefore cutoff: Date, now: Date) async throws -> Int {
        try await rows("""
            DELETE FROM throttles WHERE window_start < \(cutoff.unixSeconds) AND (blocked_until IS NULL OR blocked_until <= \(now.unixSeconds))
            RETURNING kind
            """).count
    }

    static func throttle(from row: Columns) throws -> ThrottleState {
        ThrottleState(count: try row.get("count", as: Int32.self).asInt, windowStart: try row.requiredDate("window_start"), blockedUntil: try row.date("blocked_until"))
    }
}
