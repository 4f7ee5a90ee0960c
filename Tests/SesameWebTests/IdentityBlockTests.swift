import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// The 24-hour block after 5 failed identity proofs holds for the user, not for the flow that earned it: every other
/// flow already under way is refused at its next proof (a code, the answers, the phone check) and at its next send,
/// with Entra's blocked page; and a new code never gives the failures back.
@Suite struct IdentityBlockTests {
    /// Entra's words on the blocked page.
    static let blocked = "Please use another option."

    @Test func aBlockEarnedInOneFlowStopsEveryOtherFlowOfTheUser() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "mobilePhone,email,securityQuestions")
        var user = try await harness.addUser(mobile: "+33 6 12 34 56 78", email: "alice@example.org", registered: true)
        user.authentication.securityAnswers = try await SecurityAnswerHasher(hasher: fastHasher).register(
            [(.predefined(1), "Paris"), (.predefined(2), "Lyon"), (.predefined(3), "Nice"), (.predefined(4), "Lille")], required: 3,
            offered: Policy().availableQuestions)
        try await harness.store.updateUser(user)
        try await harness.browse { attacker in
            // Flows started before the block, each waiting at a different proof or send.
            let owner = Browser(client: attacker.client)
            try await owner.startReset("alice@contoso.com")
            try await owner.post("/reset/option", [("option", "email")])
            try await owner.get("/reset/verify")
            let ownersCode = try harness.lastCode().code
            let questions = Browser(client: attacker.client)
            try await questions.startReset("alice@contoso.com")
            try await questions.post("/reset/option", [("option", "securityQuestions")])
            let drawn = try await questions.get("/reset/verify")
            let known = ["In what city did you meet": "Paris", "In what city did your parents": "Lyon", "In what city does your nearest": "Nice", "In what city was your father": "Lille"]
            var rightAnswers: [(String, String)] = []
            for index in 1...3 {
                let label = try #require(drawn.body.firstMatch(of: try Regex("for=\"answer\(index)\">([^<]*)</label>")).map { String($0.output[1].substring ?? "") })
                rightAnswers.append(("answer\(index)", known.first { label.hasPrefix($0.key) }?.value ?? ""))
            }
            let phone = Browser(client: attacker.client)
            try await phone.startReset("alice@contoso.com")
            try await phone.post("/reset/option", [("option", "mobileSMS")])
            let sender = Browser(client: attacker.client)
            try await sender.startReset("alice@contoso.com")

            // Five wrong codes over two codes: the second code starts from the first one's failures.
            try await attacker.startReset("alice@contoso.com")
            var wrong = 0
            var last = Page(status: .ok, headers: [:], body: "")
            for _ in 1...2 where last.status != .tooManyRequests {
                try await attacker.post("/reset/option", [("option", "email")])
                let code = try harness.lastCode().code
                for _ in 1...3 where last.status != .tooManyRequests {
                    last = try await attacker.post("/reset/code", [("code", code == "000000" ? "000001" : "000000")])
                    wrong += 1
                }
            }
            #expect(last.status == .tooManyRequests && last.contains(Self.blocked))
            #expect(wrong == 5, "a new code gave no failure back")

            let sent = harness.outbox.messages.count
            let code = try await owner.post("/reset/code", [("code", ownersCode)])
            #expect(code.status == .tooManyRequests && code.contains(Self.blocked) && code.contains("24 hour(s)"), "a valid code sent before the block")
            let answers = try await questions.post("/reset/questions", rightAnswers)
            #expect(answers.status == .tooManyRequests && answers.contains(Self.blocked), "right answers")
            let number = try await phone.post("/reset/phone", [("number", "06 12 34 56 78")])
            #expect(number.status == .tooManyRequests && number.contains(Self.blocked), "the phone check")
            let email = try await sender.post("/reset/option", [("option", "email")])
            #expect(email.status == .tooManyRequests && email.contains(Self.blocked), "a new code")
            #expect(harness.outbox.messages.count == sent, "nothing is sent to a blocked user")
            #expect(try await owner.get("/reset/password").status != .ok, "the flow whose code was refused cannot set a password")
        }
        let results = try await harness.store.resetActivities(ActivityQuery()).map(\.result)
        #expect(results.filter { $0 == .blocked }.count == 5, "each flow's ending is in the report: \(results)")
    }
}
