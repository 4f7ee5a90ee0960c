import Foundation
import GRDB
import SesameCore

// MARK: ActivityStore

extension SQLiteStore {
    public func appendAudit(_ event: AuditEvent) async throws {
        try await write { db in try Self.insert(event, in: db) }
    }

    static func insert(_ event: AuditEvent, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO audit_events (id, at, activity, actor, target, status, detail, failure_reason, request_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                event.id.text, event.at.unixSeconds, event.activity.rawValue, event.actor, event.target,
                event.status.rawValue, event.detail, event.failureReason, event.requestID,
            ])
    }

    public func auditEvents(_ query: ActivityQuery) async throws -> [AuditEvent] {
        try await read { db in
            try Self.fetch(.audit, query, in: db).map { row in
                AuditEvent(
                    id: try row.uuid("id"), at: try row.requiredDate("at"), activity: AuditActivity(rawValue: row["activity"]) ?? .resetFlowProgress,
                    actor: row["actor"], target: row["target"], status: AuditStatus(rawValue: row["status"]) ?? .failure,
                    detail: row["detail"], failureReason: row["failure_reason"], requestID: row["request_id"])
            }
        }
    }

    public func appendResetActivity(_ activity: ResetActivity) async throws {
        try await write { db in try Self.insert(activity, in: db) }
    }

    static func insert(_ activity: ResetActivity, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO reset_activities (id, at, user_id, role, methods, detail, request_id) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                activity.id.text, activity.at.unixSeconds, activity.userID, activity.role,
                activity.methodsUsed.map(\.rawValue).joined(separator: ","), activity.detail.code, activity.requestID,
            ])
    }

    public func resetActivities(_ query: ActivityQuery) async throws -> [ResetActivity] {
        try await read { db in
            try Self.fetch(.resets, query, in: db).compactMap { row in
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
        try await write { db in try Self.insert(activity, in: db) }
    }

    static func insert(_ activity: RegistrationActivity, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO registration_activities (id, at, user_id, role, data_registered) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [activity.id.text, activity.at.unixSeconds, activity.userID, activity.role, activity.dataRegistered.rawValue])
    }

    public func registrationActivities(_ query: ActivityQuery) async throws -> [RegistrationActivity] {
        try await read { db in
            try Self.fetch(.registrations, query, in: db).compactMap { row in
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

    public func activityCount(_ kind: ReportKind, _ query: ActivityQuery, upTo limit: Int) async throws -> Int {
        try await read { db in
            let (conditions, arguments) = Self.conditions(kind, query, paged: false)
            return try Int.fetchOne(
                db, sql: "SELECT count(*) FROM (SELECT 1 FROM \(kind.table) WHERE \(conditions) LIMIT \(max(0, limit)))", arguments: arguments) ?? 0
        }
    }

    public func resetCountsPerDay(since: Date, until: Date) async throws -> [ResetDayCount] {
        let days = ResetDays(since: since, until: until)
        return try await read { db in
            // The part-days read the (at, detail) index only.
            try Row.fetchAll(db, sql: """
                SELECT day, detail, sum(n) AS n FROM (
                    SELECT day, detail, count AS n FROM reset_days WHERE day >= ? AND day < ?
                    UNION ALL
                    SELECT CAST(at / 86400 AS INTEGER) AS day, detail, count(*) AS n FROM reset_activities
                    WHERE (at >= ? AND at < ?) OR (at >= ? AND at < ?) GROUP BY 1, 2
                ) GROUP BY day, detail HAVING sum(n) > 0
                """, arguments: [
                    days.firstDay, days.endDay, days.head.lowerBound, days.head.upperBound, days.tail.lowerBound, days.tail.upperBound,
                ])
                .map { ResetDayCount(day: Date(unixSeconds: Double($0["day"] as Int64) * 86_400), detail: $0["detail"], count: $0["n"]) }
        }
    }

    /// The rows of one log in its order, newest first (rows written in the same instant in reverse order of writing),
    /// within the query's range, filters and page.
    static func fetch(_ kind: ReportKind, _ query: ActivityQuery, in db: Database) throws -> [Row] {
        let (conditions, arguments) = conditions(kind, query, paged: true)
        return try Row.fetchAll(
            db, sql: "SELECT * FROM \(kind.table) WHERE \(conditions) ORDER BY at DESC, rowid DESC LIMIT :limit OFFSET :offset",
            arguments: arguments)
    }

    /// The WHERE clause of a query: its range, user, filters and, when `paged`, the rows after its cursor. Values are
    /// always bound, never written into the SQL.
    static func conditions(_ kind: ReportKind, _ query: ActivityQuery, paged: Bool) -> (String, StatementArguments) {
        var conditions = ["at >= :since", "at < :until"]
        var arguments: [String: (any DatabaseValueConvertible)?] = [
            "since": query.since?.unixSeconds ?? -Double.greatestFiniteMagnitude,
            "until": query.until?.unixSeconds ?? Double.greatestFiniteMagnitude,
            "limit": query.limit, "offset": query.after == nil ? query.offset : 0,
        ]
        if let user = query.userID {
            conditions.append("lower(\(kind.userColumn)) = :user")
            arguments["user"] = user.lowercased()
        }
        for (index, filter) in query.filters.enumerated() {
            let column = filter.field == .time ? "strftime('%Y-%m-%dT%H:%M:%SZ', at, 'unixepoch')" : kind.column(filter.field)
            switch filter.match {
            case .contains(let text):
                conditions.append("lower(\(column)) LIKE :f\(index) ESCAPE '\\'")
                arguments["f\(index)"] = "%" + ActivityFilter.escapedForLike(text) + "%"
            case .oneOf(let codes) where filter.field == .methods:
                // A comma-separated list: any of its codes.
                let any = codes.indices.map { "(',' || \(column) || ',') LIKE :f\(index)_\($0)" }
                conditions.append(any.isEmpty ? "0" : "(" + any.joined(separator: " OR ") + ")")
                for (position, code) in codes.enumerated() { arguments["f\(index)_\(position)"] = "%," + code + ",%" }
            case .oneOf(let codes):
                conditions.append(codes.isEmpty ? "0" : "\(column) IN (" + codes.indices.map { ":f\(index)_\($0)" }.joined(separator: ",") + ")")
                for (position, code) in codes.enumerated() { arguments["f\(index)_\(position)"] = code }
            }
        }
        if paged, let after = query.after {
            conditions.append("(at < :afterAt OR (at = :afterAt AND rowid < (SELECT rowid FROM \(kind.table) WHERE id = :afterID)))")
            arguments["afterAt"] = after.at.unixSeconds
            arguments["afterID"] = after.id.text
        }
        return (conditions.joined(separator: " AND "), StatementArguments(arguments))
    }
}

extension ReportKind {
    var table: String {
        switch self {
        case .audit: "audit_events"
        case .resets: "reset_activities"
        case .registrations: "registration_activities"
        }
    }

    /// The column the query's exact user matches.
    var userColumn: String { self == .audit ? "target" : "user_id" }

    /// A filter's column in this log's table; a field the log does not have is an empty text.
    func column(_ field: ActivityFilter.Field) -> String {
        switch (self, field) {
        case (_, .time): "at"
        case (.audit, .activity): "activity"
        case (.audit, .actor): "actor"
        case (.audit, .target), (.audit, .userID): "target"
        case (.audit, .status): "status"
        case (.audit, .auditDetail): "detail"
        case (.audit, .failureReason): "coalesce(failure_reason, '')"
        case (_, .requestID): "coalesce(request_id, '')"
        case (.resets, .userID), (.registrations, .userID): "user_id"
        case (.resets, .role), (.registrations, .role): "role"
        case (.resets, .methods): "methods"
        case (.resets, .resetDetail): "detail"
        case (.registrations, .dataRegistered): "data_registered"
        default: "''"
        }
    }
}
