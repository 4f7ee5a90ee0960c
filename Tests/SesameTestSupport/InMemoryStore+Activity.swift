import Foundation
import SesameCore
import Synchronization

// MARK: ActivityStore
extension InMemoryStore {
    public func appendAudit(_ event: AuditEvent) async throws {
        state.withLock { $0.auditEvents.append(event) }
    }

    public func auditEvents(_ query: ActivityQuery) async throws -> [AuditEvent] {
        state.withLock { state in Self.select(state.auditEvents, query, fields: Self.fields) }
    }

    public func appendResetActivity(_ activity: ResetActivity) async throws {
        state.withLock { $0.resetActivities.append(activity) }
    }

    public func resetActivities(_ query: ActivityQuery) async throws -> [ResetActivity] {
        state.withLock { state in Self.select(state.resetActivities, query, fields: Self.fields) }
    }

    public func appendRegistrationActivity(_ activity: RegistrationActivity) async throws {
        state.withLock { $0.registrationActivities.append(activity) }
    }

    public func registrationActivities(_ query: ActivityQuery) async throws -> [RegistrationActivity] {
        state.withLock { state in Self.select(state.registrationActivities, query, fields: Self.fields) }
    }

    public func deleteActivity(before date: Date) async throws -> Int {
        state.withLock { state in
            let before = state.auditEvents.count + state.resetActivities.count + state.registrationActivities.count
            state.auditEvents.removeAll { $0.at < date }
            state.resetActivities.removeAll { $0.at < date }
            state.registrationActivities.removeAll { $0.at < date }
            return before - (state.auditEvents.count + state.resetActivities.count + state.registrationActivities.count)
        }
    }

    public func activityCount(_ kind: ReportKind, _ query: ActivityQuery, upTo limit: Int) async throws -> Int {
        var all = query
        all.after = nil
        all.offset = 0
        all.limit = .max
        let count = state.withLock { state in
            switch kind {
            case .audit: Self.select(state.auditEvents, all, fields: Self.fields).count
            case .resets: Self.select(state.resetActivities, all, fields: Self.fields).count
            case .registrations: Self.select(state.registrationActivities, all, fields: Self.fields).count
            }
        }
        return min(count, max(0, limit))
    }

    public func resetCountsPerDay(since: Date, until: Date) async throws -> [ResetDayCount] {
        state.withLock { state in
            var counts: [String: (day: Date, detail: String, count: Int)] = [:]
            for activity in state.resetActivities where activity.at >= since && activity.at < until {
                let day = Date(timeIntervalSince1970: (activity.at.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
                let key = "\(day.timeIntervalSince1970) \(activity.detail.code)"
                counts[key, default: (day, activity.detail.code, 0)].count += 1
            }
            return counts.values.map { ResetDayCount(day: $0.day, detail: $0.detail, count: $0.count) }
        }
    }

    /// A row's time, id and the text the adapters' columns hold for each filter field (`nil`: the log has no such column).
    struct Fields {
        let at: Date
        let id: UUID
        let user: String
        let value: (ActivityFilter.Field) -> String?
    }

    static func fields(_ event: AuditEvent) -> Fields {
        Fields(at: event.at, id: event.id, user: event.target) { field in
            switch field {
            case .activity: event.activity.rawValue
            case .actor: event.actor
            case .target, .userID: event.target
            case .status: event.status.rawValue
            case .auditDetail: event.detail
            case .failureReason: event.failureReason ?? ""
            case .requestID: event.requestID ?? ""
            default: nil
            }
        }
    }

    static func fields(_ activity: ResetActivity) -> Fields {
        Fields(at: activity.at, id: activity.id, user: activity.userID) { field in
            switch field {
            case .userID: activity.userID
            case .role: activity.role
            case .methods: activity.methodsUsed.map(\.rawValue).joined(separator: ",")
            case .resetDetail: activity.detail.code
            case .requestID: activity.requestID ?? ""
            default: nil
            }
        }
    }

    static func fields(_ activity: RegistrationActivity) -> Fields {
        Fields(at: activity.at, id: activity.id, user: activity.userID) { field in
            switch field {
            case .userID: activity.userID
            case .role: activity.role
            case .dataRegistered: activity.dataRegistered.rawValue
            default: nil
            }
        }
    }

    /// The shared filter of the three logs: a time range, an optional user (ignoring case), the filters, newest first
    /// (rows written in the same instant in reverse order of writing), after the cursor, paged.
    static func select<Row>(_ rows: [Row], _ query: ActivityQuery, fields: (Row) -> Fields) -> [Row] {
        let wanted = query.userID?.lowercased()
        let found = rows.enumerated().filter { _, row in
            let row = fields(row)
            return query.since.map { row.at >= $0 } ?? true && query.until.map { row.at < $0 } ?? true
                && wanted.map { row.user.lowercased() == $0 } ?? true
                && query.filters.allSatisfy { matches($0, row) }
        }
        var newestFirst = found.sorted { (fields($0.element).at, $0.offset) > (fields($1.element).at, $1.offset) }
        if let after = query.after {
            let position = rows.firstIndex { fields($0).id == after.id }
            newestFirst = newestFirst.filter { candidate in
                let at = fields(candidate.element).at
                return at < after.at || (at == after.at && position.map { candidate.offset < $0 } ?? false)
            }
        }
        return newestFirst.dropFirst(query.after == nil ? max(query.offset, 0) : 0).prefix(max(query.limit, 0)).map(\.element)
    }

    private static func matches(_ filter: ActivityFilter, _ row: Fields) -> Bool {
        let text = filter.field == .time ? row.at.formatted(.iso8601) : (row.value(filter.field) ?? "")
        switch filter.match {
        case .contains(let needle): return text.lowercased().contains(needle)
        case .oneOf(let codes) where filter.field == .methods: return !Set(text.split(separator: ",").map(String.init)).isDisjoint(with: codes)
        case .oneOf(let codes): return codes.contains(text)
        }
    }
}
