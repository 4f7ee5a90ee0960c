import Foundation
import Logging
import SesameCore
import SesameStore
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
}
