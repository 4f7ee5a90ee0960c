import Foundation

/// The audit log and the two activity reports. Rows are only ever appended, and deleted only once older than the
/// policy's retention (docs/security.md#retention). Reads apply the query's range, filters and cursor in the
/// database (docs/scale.md#reports).
public protocol ActivityStore: Sendable {
    func appendAudit(_ event: AuditEvent) async throws
    func auditEvents(_ query: ActivityQuery) async throws -> [AuditEvent]
    func appendResetActivity(_ activity: ResetActivity) async throws
    func resetActivities(_ query: ActivityQuery) async throws -> [ResetActivity]
    func appendRegistrationActivity(_ activity: RegistrationActivity) async throws
    func registrationActivities(_ query: ActivityQuery) async throws -> [RegistrationActivity]
    /// How many rows of `kind` the query's range and filters hold (its cursor, limit and offset ignored), counting no
    /// further than `limit`: a count is a scan, and a filter may have to read every row of a year to finish one.
    func activityCount(_ kind: ReportKind, _ query: ActivityQuery, upTo limit: Int) async throws -> Int
    /// Resets per day (UTC) and detail from `since` to `until`, counted in the database, for the chart.
    func resetCountsPerDay(since: Date, until: Date) async throws -> [ResetDayCount]
    /// Deletes audit events and activity rows older than `date`; the number of rows deleted.
    func deleteActivity(before date: Date) async throws -> Int
}
