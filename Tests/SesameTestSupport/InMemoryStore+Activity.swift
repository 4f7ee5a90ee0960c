import Foundation
import SesameCore
import Synchronization

// MARK: ActivityStore
extension InMemoryStore {
    public func appendAudit(_ event: AuditEvent) async throws {
        state.withLock { $0.auditEvents.append(event) }
    }

    public func auditEvents(_ query: ActivityQuery) async throws -> [AuditEvent] {
        state.withLock { state in Self.select(state.auditEvents, query, at: \.at, user: \.target) }
    }

    public func appendResetActivity(_ activity: ResetActivity) async throws {
        state.withLock { $0.resetActivities.append(activity) }
    }

    public func resetActivities(_ query: ActivityQuery) async throws -> [ResetActivity] {
        state.withLock { state in Self.select(state.resetActivities, query, at: \.at, user: \.userID) }
    }

    public func appendRegistrationActivity(_ activity: RegistrationActivity) async throws {
        state.withLock { $0.registrationActivities.append(activity) }
    }

    public func registrationActivities(_ query: ActivityQuery) async throws -> [RegistrationActivity] {
        state.withLock { state in Self.select(state.registrationActivities, query, at: \.at, user: \.userID) }
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

    /// The shared filter of the three logs: a time range, an optional user (ignoring case), newest first (rows written
    /// in the same instant in reverse order of writing), paged.
    static func select<Row>(_ rows: [Row], _ query: ActivityQuery, at: KeyPath<Row, Date>, user: KeyPath<Row, String>) -> [Row] {
        let wanted = query.userID?.lowercased()
        let found = rows.enumerated().filter { _, row in
            query.since.map { row[keyPath: at] >= $0 } ?? true && query.until.map { row[keyPath: at] < $0 } ?? true
                && wanted.map { row[keyPath: user].lowercased() == $0 } ?? true
        }
        let newestFirst = found.sorted { ($0.element[keyPath: at], $0.offset) > ($1.element[keyPath: at], $1.offset) }
        return newestFirst.dropFirst(max(query.offset, 0)).prefix(max(query.limit, 0)).map(\.element)
    }
}
