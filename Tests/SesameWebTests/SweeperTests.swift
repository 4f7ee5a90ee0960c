import Foundation
import Logging
import SesameCore
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

@Suite struct SweeperTests {
    @Test func expiredSessionsAndChallengesAreDeleted() async throws {
        let harness = try await Harness()
        let user = try await harness.addUser()
        try await harness.store.saveSession(key: "old", data: Data(), userID: nil, expiresAt: t0.addingTimeInterval(10))
        try await harness.store.saveSession(key: "live", data: Data(), userID: nil, expiresAt: t0.addingTimeInterval(10_000))
        let challenge = CodeChallenge(
            id: UUID(), userID: user.id, purpose: .registration, channel: .sms, destination: "+33612345678", mac: [1],
            issuedAt: t0, expiresAt: t0.addingTimeInterval(300), attemptsLeft: 3)
        try await harness.store.insertChallenge(challenge)
        harness.clock.advance(by: 2 * 3_600)
        await Sweeper(store: harness.store, clock: harness.clock, interval: .seconds(600), logger: Logger(label: "test")).sweep()
        #expect(try await harness.store.session(key: "old", now: t0) == nil)
        #expect(try await harness.store.session(key: "live", now: harness.clock.now) != nil)
        #expect(try await harness.store.challenge(id: challenge.id) == nil)
    }

    /// Before, the audit log and the reports kept every row forever, those an anonymous visitor causes included.
    @Test func auditAndActivityOlderThanTheRetentionAreDeleted() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.activityRetentionDays, "30")
        let store = harness.store
        for age in [31.0, 29.0] {
            let at = harness.clock.now.addingTimeInterval(-age * 86_400)
            try await store.appendAudit(AuditEvent(at: at, activity: .blocked, actor: "anonymous", target: "age \(age)"))
            try await store.appendResetActivity(ResetActivity(at: at, userID: "age \(age)", role: "user", methodsUsed: [], detail: .insufficientMethods))
            try await store.appendRegistrationActivity(RegistrationActivity(at: at, userID: "age \(age)", role: "user", dataRegistered: .email))
        }
        await Sweeper(store: store, clock: harness.clock, interval: .seconds(600), logger: Logger(label: "test")).sweep()
        #expect(try await store.auditEvents(ActivityQuery()).map(\.target).filter { $0.hasPrefix("age") } == ["age 29.0"])
        #expect(try await store.resetActivities(ActivityQuery()).map(\.userID) == ["age 29.0"])
        #expect(try await store.registrationActivities(ActivityQuery()).map(\.userID) == ["age 29.0"])
    }
}
