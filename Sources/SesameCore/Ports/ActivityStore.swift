import Foundation

/// The audit log and the two activity reports. Rows are only ever appended, and deleted only once older than the
/// policy's retention (docs/security.md#retention).
public protocol ActivityStore: Sendable {
    func appendAudit(_ event: AuditEvent) async throws
    func auditEvents(_ query: ActivityQuery) async throws -> [AuditEvent]
    func appendResetActivity(_ activity: ResetActivity) async throws
    func resetActivities(_ query: ActivityQuery) async throws -> [ResetActivity]
    func appendRegistrationActivity(_ activity: RegistrationActivity) async throws
    func registrationActivities(_ query: ActivityQuery) async throws -> [RegistrationActivity]
    /// Deletes audit events and activity rows older than `date`; the number of rows deleted.
    func deleteActivity(before date: Date) async throws -> Int
}
