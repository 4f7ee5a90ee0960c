import Foundation
import PostgresNIO
import SesameCore

// MARK: ActivityStore

extension PostgresStore {
    public func appendAudit(_ event: AuditEvent) async throws {
        _ = try await rows("""
            INSERT INTO audit_events (id, at, activity, actor, target, status, detail, failure_reason, request_id)
            VALUES (\(event.id.uuidString), \(event.at.unixSeconds), \(event.activity.rawValue), \(event.actor), \(event.target),
                    \(event.status.rawValue), \(event.detail), \(event.failureReason), \(event.requestID))
            """)
    }

    public func auditEvents(_ query: ActivityQuery) async throws -> [AuditEvent] {
        try await rows(Self.select("audit_events", userColumn: "target", query)).map { row in
            AuditEvent(
                id: try row.uuid("id"), at: try row.requiredDate("at"), activity: AuditActivity(rawValue: try row.get("activity")) ?? .resetFlowProgress,
                actor: try row.get("actor"), target: try row.get("target"), status: AuditStatus(rawValue: try row.get("status")) ?? .failure,
                detail: try row.get("detail"), failureReason: try row.get("failure_reason"), requestID: try row.get("request_id"))
        }
    }

    public func appendResetActivity(_ activity: ResetActivity) async throws {
        _ = try await rows("""
            INSERT INTO reset_activities (id, at, user_id, role, methods, detail, request_id)
            VALUES (\(activity.id.uuidString), \(activity.at.unixSeconds), \(activity.userID), \(activity.role),
                    \(activity.methodsUsed.map(\.rawValue).joined(separator: ",")), \(activity.detail.code), \(activity.requestID))
            """)
    }

    public func resetActivities(_ query: ActivityQuery) async throws -> [ResetActivity] {
        try await rows(Self.select("reset_activities", userColumn: "user_id", query)).compactMap { row in
            guard let detail = ResetDetail(code: try row.get("detail")) else { return nil }
            return ResetActivity(
                id: try row.uuid("id"), at: try row.requiredDate("at"), userID: try row.get("user_id"), role: try row.get("role"),
                methodsUsed: try row.get("methods", as: String.self).split(separator: ",").compactMap { VerificationOption(rawValue: String($0)) },
                detail: detail, requestID: try row.get("request_id"))
        }
    }

    public func appendRegistrationActivity(_ activity: RegistrationActivity) async throws {
        _ = try await rows("""
            INSERT INTO registration_activities (id, at, user_id, role, data_registered)
            VALUES (\(activity.id.uuidString), \(activity.at.unixSeconds), \(activity.userID), \(activity.role), \(activity.dataRegistered.rawValue))
            """)
    }

    public func registrationActivities(_ query: ActivityQuery) async throws -> [RegistrationActivity] {
        try await rows(Self.select("registration_activities", userColumn: "user_id", query)).compactMap { row in
            try AuthenticationMethod(rawValue: row.get("data_registered")).map { method in
                RegistrationActivity(id: try row.uuid("id"), at: try row.requiredDate("at"), userID: try row.get("user_id"), role: try row.get("role"), dataRegistered: method)
            }
        }
    }

    public func deleteActivity(before date: Date) async throws -> Int {
        let rows = try await rows("""
            WITH audit AS (DELETE FROM audit_events WHERE at < \(date.unixSeconds) RETURNING 1),
                 resets AS (DELETE FROM reset_activities WHERE at < \(date.unixSeconds) RETURNING 1),
                 registrations AS (DELETE FROM registration_activities WHERE at < \(date.unixSeconds) RETURNING 1)
            SELECT (SELECT count(*) FROM audit) + (SELECT count(*) FROM resets) + (SELECT count(*) FROM registrations) AS deleted
            """)
        return try rows.first?.get("deleted", as: Int.self) ?? 0
    }

    /// The shared filter of the three logs: a time range, an optional user, newest first (rows written in the same
    /// instant in reverse order of writing), paged.
    static func select(_ table: String, userColumn: String, _ query: ActivityQuery) -> PostgresQuery {
        var binds = PostgresBindings()
        binds.append(query.since?.unixSeconds ?? -Double.greatestFiniteMagnitude)
        binds.append(query.until?.unixSeconds ?? Double.greatestFiniteMagnitude)
        binds.append(query.limit)
        binds.append(query.offset)
        var conditions = ["at >= $1", "at < $2"]
        if let user = query.userID {
            binds.append(user.lowercased())
            conditions.append("lower(\(userColumn)) = $5")
        }
        return PostgresQuery(
            unsafeSQL: "SELECT * FROM \(table) WHERE \(conditions.joined(separator: " AND ")) ORDER BY at DESC, seq DESC LIMIT $3 OFFSET $4",
            binds: binds)
    }
}
