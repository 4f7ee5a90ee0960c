import Foundation
import PostgresNIO
import SesameCore

// MARK: ActivityStore

extension PostgresStore {
    public func appendAudit(_ event: AuditEvent) async throws {
        _ = try await rows("""
            INSERT INTO audit_events (id, at, activity, actor, target, status, detail, failure_reason, request_id)
            VALUES (\(event.id.text), \(event.at.unixSeconds), \(event.activity.rawValue), \(event.actor), \(event.target),
                    \(event.status.rawValue), \(event.detail), \(event.failureReason), \(event.requestID))
            """)
    }

    /// A batch's log rows, a statement per log, in the order given (docs/scale.md#batches).
    static func insert(
        audit: [AuditEvent], registrations: [RegistrationActivity], resets: [ResetActivity], on connection: PostgresConnection, logger: Logger
    ) async throws {
        if !audit.isEmpty {
            try await connection.query("""
                INSERT INTO audit_events (id, at, activity, actor, target, status, detail, failure_reason, request_id)
                SELECT id, at, activity, actor, target, status, detail, failure_reason, request_id
                FROM jsonb_array_elements(\(try JSONRows.encode(audit.map(AuditRow.init)))::jsonb) WITH ORDINALITY AS e(value, n)
                    CROSS JOIN LATERAL jsonb_to_record(e.value) AS x(id TEXT, at DOUBLE PRECISION, activity TEXT, actor TEXT, target TEXT, status TEXT, detail TEXT,
                         failure_reason TEXT, request_id TEXT)
                ORDER BY e.n
                """, logger: logger)
        }
        if !registrations.isEmpty {
            try await connection.query("""
                INSERT INTO registration_activities (id, at, user_id, role, data_registered)
                SELECT id, at, user_id, role, data_registered
                FROM jsonb_array_elements(\(try JSONRows.encode(registrations.map(RegistrationRow.init)))::jsonb) WITH ORDINALITY AS e(value, n)
                    CROSS JOIN LATERAL jsonb_to_record(e.value) AS x(id TEXT, at DOUBLE PRECISION, user_id TEXT, role TEXT, data_registered TEXT)
                ORDER BY e.n
                """, logger: logger)
        }
        if !resets.isEmpty {
            try await connection.query("""
                INSERT INTO reset_activities (id, at, user_id, role, methods, detail, request_id)
                SELECT id, at, user_id, role, methods, detail, request_id
                FROM jsonb_array_elements(\(try JSONRows.encode(resets.map(ResetRow.init)))::jsonb) WITH ORDINALITY AS e(value, n)
                    CROSS JOIN LATERAL jsonb_to_record(e.value) AS x(id TEXT, at DOUBLE PRECISION, user_id TEXT, role TEXT, methods TEXT, detail TEXT, request_id TEXT)
                ORDER BY e.n
                """, logger: logger)
        }
    }

    public func auditEvents(_ query: ActivityQuery) async throws -> [AuditEvent] {
        try await rows(Self.select(.audit, query)).map { row in
            AuditEvent(
                id: try row.uuid("id"), at: try row.requiredDate("at"), activity: AuditActivity(rawValue: try row.get("activity")) ?? .resetFlowProgress,
                actor: try row.get("actor"), target: try row.get("target"), status: AuditStatus(rawValue: try row.get("status")) ?? .failure,
                detail: try row.get("detail"), failureReason: try row.get("failure_reason"), requestID: try row.get("request_id"))
        }
    }

    public func appendResetActivity(_ activity: ResetActivity) async throws {
        _ = try await rows("""
            INSERT INTO reset_activities (id, at, user_id, role, methods, detail, request_id)
            VALUES (\(activity.id.text), \(activity.at.unixSeconds), \(activity.userID), \(activity.role),
                    \(activity.methodsUsed.map(\.rawValue).joined(separator: ",")), \(activity.detail.code), \(activity.requestID))
            """)
    }

    public func resetActivities(_ query: ActivityQuery) async throws -> [ResetActivity] {
        try await rows(Self.select(.resets, query)).compactMap { row in
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
            VALUES (\(activity.id.text), \(activity.at.unixSeconds), \(activity.userID), \(activity.role), \(activity.dataRegistered.rawValue))
            """)
    }

    public func registrationActivities(_ query: ActivityQuery) async throws -> [RegistrationActivity] {
        try await rows(Self.select(.registrations, query)).compactMap { row in
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

    public func activityCount(_ kind: ReportKind, _ query: ActivityQuery, upTo limit: Int) async throws -> Int {
        var binds = PostgresBindings()
        let conditions = try Self.conditions(kind, query, paged: false, binds: &binds)
        let sql = "SELECT count(*)::BIGINT AS n FROM (SELECT 1 FROM \(kind.table) WHERE \(conditions) LIMIT \(max(0, limit))) AS counted"
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: binds)).first?.get("n", as: Int.self) ?? 0
    }

    public func resetCountsPerDay(since: Date, until: Date) async throws -> [ResetDayCount] {
        let days = ResetDays(since: since, until: until)
        return try await rows("""
            SELECT day, detail, sum(n)::BIGINT AS n FROM (
                SELECT day, detail, count AS n FROM reset_days WHERE day >= \(days.firstDay) AND day < \(days.endDay)
                UNION ALL
                SELECT floor(at / 86400)::BIGINT, detail, count(*) FROM reset_activities
                WHERE (at >= \(days.head.lowerBound) AND at < \(days.head.upperBound))
                   OR (at >= \(days.tail.lowerBound) AND at < \(days.tail.upperBound))
                GROUP BY 1, 2
            ) AS counted GROUP BY 1, 2 HAVING sum(n) > 0
            """).map {
                ResetDayCount(day: Date(unixSeconds: Double(try $0.get("day", as: Int64.self)) * 86_400), detail: try $0.get("detail"), count: try $0.get("n"))
            }
    }

    /// The rows of one log in its order, newest first (rows written in the same instant in reverse order of writing),
    /// within the query's range, filters and page.
    static func select(_ kind: ReportKind, _ query: ActivityQuery) throws -> PostgresQuery {
        var binds = PostgresBindings()
        let conditions = try conditions(kind, query, paged: true, binds: &binds)
        binds.append(query.limit)
        binds.append(query.after == nil ? query.offset : 0)
        return PostgresQuery(
            unsafeSQL: "SELECT * FROM \(kind.table) WHERE \(conditions) ORDER BY at DESC, seq DESC LIMIT $\(binds.count - 1) OFFSET $\(binds.count)",
            binds: binds)
    }

    /// As SQLite's: the range, user, filters and, when `paged`, the rows after the cursor; every value bound.
    static func conditions(_ kind: ReportKind, _ query: ActivityQuery, paged: Bool, binds: inout PostgresBindings) throws -> String {
        func bind(_ value: some PostgresThrowingDynamicTypeEncodable) throws -> String {
            try binds.append(value)
            return "$\(binds.count)"
        }
        var conditions = [
            "at >= \(try bind(query.since?.unixSeconds ?? -Double.greatestFiniteMagnitude))",
            "at < \(try bind(query.until?.unixSeconds ?? Double.greatestFiniteMagnitude))",
        ]
        if let user = query.userID { conditions.append("lower(\(kind.userColumn)) = \(try bind(user.lowercased()))") }
        for filter in query.filters {
            let column = filter.field == .time
                ? "to_char(to_timestamp(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')" : kind.column(filter.field)
            switch filter.match {
            case .contains(let text):
                conditions.append("lower(\(column)) LIKE \(try bind("%" + ActivityFilter.escapedForLike(text) + "%")) ESCAPE '\\'")
            case .oneOf(let codes) where filter.field == .methods:
                // A comma-separated list: any of its codes.
                conditions.append("string_to_array(\(column), ',') && \(try bind(codes))::TEXT[]")
            case .oneOf(let codes):
                conditions.append("\(column) = ANY(\(try bind(codes)))")
            }
        }
        if paged, let after = query.after {
            let at = try bind(after.at.unixSeconds)
            conditions.append("(at < \(at) OR (at = \(at) AND seq < (SELECT seq FROM \(kind.table) WHERE id = \(try bind(after.id.text)))))")
        }
        return conditions.joined(separator: " AND ")
    }
}
