import Foundation
import HTTPTypes
import HummingbirdTesting
import SesameCore
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// One browser and two instances on one PostgreSQL database, with the right code posted to both at once: every
/// request writes the session back, and the ones the code was already used for must not erase the proof of the one
/// that used it (docs/security.md#session-writes-across-instances).
@Suite struct SessionRaceTests {
    /// Posts `code` to both instances at once, four times each, and waits for every answer.
    func race(_ code: String, _ one: Browser, _ other: Browser) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask { try await (index.isMultiple(of: 2) ? one : other).post("/reset/code", [("code", code)]) }
            }
            try await group.waitForAll()
        }
    }

    @Test func theRightCodeAtTwoInstancesAtOnceIsOneProofKept() async throws {
        let url = try await PostgresTestServer.freshDatabase()
        let secret = ServerSecret.generate(using: SystemRandomSource())
        try await PostgresStore.withStores(2, url: url) { stores in
            let first = try await Harness(store: stores[0], secret: secret)
            let second = try await Harness(store: stores[1], secret: secret)
            // An administrator: two gates, so that the step counter has somewhere to go.
            try await first.addUser(roles: [.globalAdmin], mobile: "+33 6 12 34 56 78", email: "alice@example.org", registered: true)
            try await first.setPolicy(.notifyUsers, "false")
            let rounds = 8
            // Only the first instance's delivery workers run, and codes are sent through it: the test reads its outbox.
            try await first.browse { one in
                try await second.application.test(.router) { client in
                    let other = Browser(client: client, sharingCookiesWith: one)
                    for round in 1...rounds {
                        // Sends and starts are limited per hour: each round is an hour later on both instances.
                        first.clock.advance(by: 3_600)
                        second.clock.advance(by: 3_600)
                        try await one.startReset("alice@contoso.com")
                        try await one.post("/reset/option", [("option", "email")])
                        try await race(try first.lastCode().code, one, other)
                        let kept = try await other.get("/reset/verify").contains("Verification step 2 of 2")
                        #expect(kept, "round \(round): the first proof was kept")
                        try await one.post("/reset/option", [("option", "mobileSMS")])
                        try await one.post("/reset/phone", [("number", "+33 6 12 34 56 78")])
                        try await race(try first.lastCode().code, one, other)
                        #expect(try await one.get("/reset/verify").location == "/reset/password", "round \(round): both proofs were kept")
                        let password = "Yt7$Mx3!Ps9j-\(round)"
                        let done = try await other.post("/reset/password", [("new", password), ("confirm", password)]).contains("Your password has been reset")
                        #expect(done, "round \(round)")
                    }
                }
            }
            let rows = try await first.store.resetActivities(ActivityQuery())
            #expect(rows.count == rounds)
            #expect(rows.allSatisfy { $0.result == .succeeded && $0.methodsUsed == [.email, .mobileSMS] }, "each proof recorded once: \(rows.map(\.methodsUsed))")
        }
    }

    /// A double-submit storm on one instance: before, the requests raced each other to the store, and after 16
    /// tries some answered 500 though their work was done. Now they take turns per session.
    @Test func simultaneousPostsOfOneSessionOnOneInstanceAllAnswer() async throws {
        let harness = try await Harness()
        try await harness.addUser(email: "alice@example.org")
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<60 { group.addTask { try await browser.post("/reset/contact", []).status.code } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 60 && !statuses.contains { $0 >= 500 }, "\(statuses.sorted())")
        }
    }
}
