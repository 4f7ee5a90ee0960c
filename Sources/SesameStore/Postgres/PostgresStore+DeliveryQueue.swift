import Foundation
import PostgresNIO
import SesameCore

// MARK: DeliveryQueueStore

extension PostgresStore {
    public func enqueue(_ message: QueuedMessage, claimedBy lease: DeliveryLease?) async throws {
        _ = try await rows("""
            INSERT INTO outbox (id, channel, sealed, attempts, enqueued_at, expires_at, next_attempt_at, lease_owner, lease_until)
            VALUES (\(message.id.text), \(message.channel.rawValue), \(message.sealed), \(message.attempts),
                    \(message.enqueuedAt.unixSeconds), \(message.expiresAt.unixSeconds), \(message.enqueuedAt.unixSeconds),
                    \(lease?.owner), \(lease?.until.unixSeconds))
            """)
    }

    /// `FOR UPDATE SKIP LOCKED`: workers on every instance claim at once, each getting different messages.
    public func claimDeliveries(
        now: Date, owner: String, leaseUntil: Date, limit: Int, excluding excluded: Set<CodeChannel>
    ) async throws -> [QueuedMessage] {
        let excludedList = excluded.map(\.rawValue).sorted()
        return try await rows("""
            UPDATE outbox SET lease_owner = \(owner), lease_until = \(leaseUntil.unixSeconds), attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM outbox
                WHERE state = 'pending' AND next_attempt_at <= \(now.unixSeconds) AND (lease_until IS NULL OR lease_until <= \(now.unixSeconds))
                    AND NOT (channel = ANY(\(excludedList)))
                ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING id, channel, sealed, attempts, enqueued_at, expires_at
            """).map { row in
            QueuedMessage(
                id: try row.uuid("id"), channel: CodeChannel(rawValue: try row.get("channel")) ?? .email, sealed: try row.get("sealed"),
                attempts: try row.get("attempts", as: Int32.self).asInt, enqueuedAt: try row.requiredDate("enqueued_at"), expiresAt: try row.requiredDate("expires_at"))
        }
    }

    public func markDelivered(_ id: UUID, at date: Date) async throws {
        try await finish(id, state: "delivered", error: nil, at: date)
    }

    public func markFailed(_ id: UUID, error: String, at date: Date) async throws {
        try await finish(id, state: "failed", error: error, at: date)
    }

    private func finish(_ id: UUID, state: String, error: String?, at date: Date) async throws {
        _ = try await rows("""
            UPDATE outbox SET state = \(state), sealed = NULL, last_error = \(error), finished_at = \(date.unixSeconds), lease_owner = NULL, lease_until = NULL
            WHERE id = \(id.text) AND state = 'pending'
            """)
    }

    public func markRetry(_ id: UUID, next: Date, error: String) async throws {
        _ = try await rows("""
            UPDATE outbox SET next_attempt_at = \(next.unixSeconds), last_error = \(error), lease_owner = NULL, lease_until = NULL
            WHERE id = \(id.text) AND state = 'pending'
            """)
    }

    public func releaseDelivery(_ id: UUID, owner: String) async throws {
        _ = try await rows("""
            UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE id = \(id.text) AND lease_owner = \(owner) AND state = 'pending'
            """)
    }

    public func deliveryBacklog(now: Date) async throws -> DeliveryBacklog {
        let row = try await rows("SELECT count(*) AS waiting, min(enqueued_at) AS oldest FROM outbox WHERE state = 'pending'").first
        return DeliveryBacklog(
            waiting: try row.map { Int(try $0.get("waiting", as: Int64.self)) } ?? 0, oldestEnqueuedAt: try row?.date("oldest"), now: now)
    }

    public func deliveryState(_ id: UUID) async throws -> DeliveryState? {
        try await rows("SELECT state, attempts, last_error FROM outbox WHERE id = \(id.text)").first.map { row in
            switch try row.get("state", as: String.self) {
            case "delivered": .delivered
            case "failed": .failed(try row.get("last_error", as: String?.self) ?? "")
            default: .pending(attempts: try row.get("attempts", as: Int32.self).asInt)
            }
        }
    }

    public func purgeDeliveries(finishedBefore date: Date) async throws -> Int {
        try await rows("DELETE FROM outbox WHERE finished_at IS NOT NULL AND finished_at < \(date.unixSeconds) RETURNING id").count
    }
}
