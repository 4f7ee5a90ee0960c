import Foundation
import GRDB
import SesameCore

// MARK: ActivityStore

extension SQLiteStore {
    public func appendAudit(_ event: AuditEvent) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO audit_events (id, at, activity, actor, target, status, detail, failure_reason, request_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    event.id.uuidString, event.at.unixSeconds, event.activity.rawValue, event.actor, event.target,
                    event.status.rawValue, event.detail, event.failureReason, event.requestID,
                ])
        }
    }

    public func auditEvents(_ query: ActivityQuery) async throws -> [AuditEvent] {
        try await read { db in
            try Row.fetchAll(db, sql: Self.select("audit_events", userColumn: "target", query), arguments: Self.arguments(query)).map { row in
                AuditEvent(
                    id: try row.uuid("id"), at: try row.requiredDate("at"), activity: AuditActivity(rawValue: row["activity"]) ?? .resetFlowProgress,
                    actor: row["actor"], target: row["target"], status: AuditStatus(rawValue: row["status"]) ?? .failure,
                    detail: row["detail"], failureReason: row["failure_reason"], requestID: row["request_id"])
            }
        }
    }

    public func appendResetActivity(_ activity: ResetActivity) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO reset_activities (id, at, user_id, role, methods, detail, request_id) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    activity.id.uuidString, activity.at.unixSeconds, activity.userID, activity.role,
                    activity.methodsUsed.map(\.rawValue).joined(separator: ","), activity.detail.code, activity.requestID,
                ])
        }
    }

    public func resetActivities(_ query: ActivityQuery) async throws -> [ResetActivity] {
        try await read { db in
            try Row.fetchAll(db, sql: Self.select("reset_activities", userColumn: "user_id", query), arguments: Self.arguments(query))
                .compactMap { row in
                    let methods: String = row["methods"]
                    guard let detail = ResetDetail(code: row["detail"]) else { return nil }
                    return ResetActivity(
                        id: try row.uuid("id"), at: try row.requiredDate("at"), userID: row["user_id"], role: row["role"],
                        methodsUsed: methods.split(separator: ",").compactMap { VerificationOption(rawValue: String($0)) },
                        detail: detail, requestID: row["request_id"])
                }
        }
    }

    public func appendRegistrationActivity(_ activity: RegistrationActivity) async throws {
        try await write { db in
            try db.execute(sql: "INSERT INTO registration_activities (id, at, user_id, role, data_registered) VALUES (?, ?, ?, ?, ?)",
                           arguments: [activity.id.uuidString, activity.at.unixSeconds, activity.userID, activity.role,
                                       activity.dataRegistered.rawValue])
        }
    }

    public func registrationActivities(_ query: ActivityQuery) async throws -> [RegistrationActivity] {
        try await read { db in
            try Row.fetchAll(db, sql: Self.select("registration_activities", userColumn: "user_id", query), arguments: Self.arguments(query))
                .compactMap { row in
                    guard let method = AuthenticationMethod(rawValue: row["data_registered"]) else { return nil }
                    return RegistrationActivity(id: try row.uuid("id"), at: try row.requiredDate("at"), userID: row["user_id"], role: row["role"], dataRegistered: method)
                }
        }
    }

    public func deleteActivity(before date: Date) async throws -> Int {
        try await write { db in
            var deleted = 0
            for table in ["audit_events", "reset_activities", "registration_activities"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE at < ?", arguments: [date.unixSeconds])
                deleted += db.changesCount
            }
            return deleted
        }
    }

    /// The shared filter of the three logs: a time range, an optional user, newest first (rows written in the same
    /// instant in reverse order of writing), paged.
    static func select(_ table: String, userColumn: String, _ query: ActivityQuery) -> String {
        var conditions = ["at >= :since", "at < :until"]
        if query.userID != nil { conditions.append("lower(\(userColumn)) = :user") }
        return "SELECT * FROM \(table) WHERE \(conditions.joined(separator: " AND ")) ORDER BY at DESC, rowid DESC LIMIT :limit OFFSET :offset"
    }

    static func arguments(_ query: ActivityQuery) -> StatementArguments {
        [
            "since": query.since?.unixSeconds ?? -Double.greatestFiniteMagnitude,
            "until": query.until?.unixSeconds ?? Double.greatestFiniteMagnitude,
            "user": query.userID?.lowercased(), "limit": query.limit, "offset": query.offset,
        ]
    }
}
