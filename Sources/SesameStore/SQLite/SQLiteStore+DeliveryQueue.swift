import Foundation
import GRDB
import SesameCore

// MARK: DeliveryQueueStore

extension SQLiteStore {
    public func enqueue(_ message: QueuedMessage, claimedBy lease: DeliveryLease?) async throws {
        return try await write { db in
            try db.execute(cached: """
                INSERT INTO outbox (id, channel, sealed, attempts, enqueued_at, expires_at, next_attempt_at, lease_owner, lease_until)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    message.id.text, message.channel.rawValue, message.sealed, message.attempts,
                    message.enqueuedAt.unixSeconds, message.expiresAt.unixSeconds, message.enqueuedAt.unixSeconds,
                    lease?.owner, lease?.until.unixSeconds,
                ])
        }
    }

    /// SQLite runs one writer at a time, so the select inside the update cannot be raced by another worker.
    public func claimDeliveries(
        now: Date, owner: String, leaseUntil: Date, limit: Int, excluding excluded: Set<CodeChannel>
    ) async throws -> [QueuedMessage] {
        let excludedList = excluded.map(\.rawValue).sorted().joined(separator: ",")
        return try await write { db in
            try Row.fetchAll(db, cached: """
                UPDATE outbox SET lease_owner = :owner, lease_until = :lease, attempts = attempts + 1
                WHERE id IN (
                    SELECT id FROM outbox
                    WHERE state = 'pending' AND next_attempt_at <= :now AND (lease_until IS NULL OR lease_until <= :now)
                        AND instr(',' || :excluded || ',', ',' || channel || ',') = 0
                    ORDER BY next_attempt_at LIMIT :limit)
                RETURNING id, channel, sealed, attempts, enqueued_at, expires_at
                """, arguments: ["owner": owner, "lease": leaseUntil.unixSeconds, "now": now.unixSeconds, "limit": limit, "excluded": excludedList])
            .map { row in
                QueuedMessage(
                    id: try row.uuid("id"), channel: CodeChannel(rawValue: row["channel"]) ?? .email, sealed: try row.required(Data.self, "sealed"),
                    attempts: row["attempts"], enqueuedAt: try row.requiredDate("enqueued_at"), expiresAt: try row.requiredDate("expires_at"))
            }
        }
    }

    public func markDelivered(_ id: UUID, at date: Date) async throws {
        try await finish(id, state: "delivered", error: nil, at: date)
    }

    public func markFailed(_ id: UUID, error: String, at date: Date) async throws {
        try await finish(id, state: "failed", error: error, at: date)
    }

    private func finish(_ id: UUID, state: String, error: String?, at date: Date) async throws {
        try await write { db in
            try db.execute(cached: """
                UPDATE outbox SET state = ?, sealed = NULL, last_error = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL
                WHERE id = ? AND state = 'pending'
                """, arguments: [state, error, date.unixSeconds, id.text])
        }
    }

    public func markRetry(_ id: UUID, next: Date, error: String) async throws {
        try await write { db in
            try db.execute(cached: """
                UPDATE outbox SET next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL
                WHERE id = ? AND state = 'pending'
                """, arguments: [next.unixSeconds, error, id.text])
        }
    }

    public func releaseDelivery(_ id: UUID, owner: String) async throws {
        try await write { db in
            try db.execute(
                cached: "UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND state = 'pending'",
                arguments: [id.text, owner])
        }
    }

    public func deliveryBacklog(now: Date) async throws -> DeliveryBacklog {
        try await read { db in
            let row = try Row.fetchOne(db, cached: "SELECT count(*) AS waiting, min(enqueued_at) AS oldest FROM outbox WHERE state = 'pending'")
            return DeliveryBacklog(waiting: (row?["waiting"] as Int?) ?? 0, oldestEnqueuedAt: row?.date("oldest"), now: now)
        }
    }

    public func deliveryState(_ id: UUID) async throws -> DeliveryState? {
        try lookUp { db in
            try Row.fetchOne(db, cached: "SELECT state, attempts, last_error FROM outbox WHERE id = ?", arguments: [id.text]).map { row in
                switch row["state"] as String {
                case "delivered": .delivered
                case "failed": .failed(row["last_error"] ?? "")
                default: .pending(attempts: row["attempts"])
                }
            }
        }
    }

    public func purgeDeliveries(finishedBefore date: Date) async throws -> Int {
        try await write { db in
            try db.execute(cached: "DELETE FROM outbox WHERE finished_at IS NOT NULL AND finished_at < ?", arguments: [date.unixSeconds])
            return db.changesCount
        }
    }
}
