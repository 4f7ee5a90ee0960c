import Foundation
import MetricsTestKit
import SesameCore
import SesameTestSupport
import Testing

/// The daily budget of texts and calls (docs/security.md#phone-budget): what it refuses, that instances share it,
/// that administrators hear of it once a day, and that a new UTC day starts afresh.
@Suite struct PhoneBudgetTests {
    let clock = ManualClock(t0)
    let store = InMemoryStore()
    let sender = RecordingSender()
    let recorded = TestMetrics()

    /// An outbox of one instance; two made over the same store are two instances.
    func instance(_ budget: PhoneBudget) -> BudgetedOutbox {
        BudgetedOutbox(sender, budget: budget, store: store, clock: clock, policies: PolicyCache(store: store), metrics: SesameMetrics(factory: recorded))
    }

    func message(_ channel: CodeChannel, to: String) -> OutgoingMessage {
        OutgoingMessage(channel: channel, to: to, language: .english, subject: channel == .email ? "Code" : nil, text: "Your code is 042917")
    }

    func addAdministrator(locale: Language) async throws {
        var admin = User(userID: "root@contoso.com", roles: [.globalAdmin], createdAt: t0)
        admin.locale = locale
        try await store.insertUser(admin)
    }

    var notices: [OutgoingMessage] { sender.messages.filter { $0.to == "root@contoso.com" } }

    @Test func theSettingReadsAnOverallBudgetThenCountries() {
        #expect(PhoneBudget("1000") == PhoneBudget(daily: 1_000))
        #expect(PhoneBudget(" 50 , +234=2, +44 = 10") == PhoneBudget(daily: 50, byCallingCode: [234: 2, 44: 10]))
        #expect(PhoneBudget("0") == PhoneBudget(daily: 0))
        for refused in ["", " ", "-1", "1e3", "+5", "100,+999=1", "100,+44", "100,+44=1,+44=2", "100,44=1", "99999999999", "100,+44=x", "100,", "10000001"] {
            #expect(PhoneBudget(refused) == nil, "\(refused)")
        }
    }

    @Test func overBudgetTextsAndCallsAreRefusedOnEveryInstanceAndEmailStillLeaves() async throws {
        try await addAdministrator(locale: .french)
        let first = instance(PhoneBudget(daily: 2)), second = instance(PhoneBudget(daily: 2))
        try await first.send(message(.sms, to: "+33612345678"))
        try await second.send(message(.voice, to: "+33612345679"))
        let refusal = await #expect(throws: DeliveryError.self) { try await first.send(message(.sms, to: "+33612345670")) }
        #expect(refusal?.isTransient == false, "the page says at once that the code could not be sent")
        await #expect(throws: DeliveryError.self) { try await second.post(message(.voice, to: "+33612345671")) }
        try await second.send(message(.email, to: "alice@contoso.com"))

        #expect(sender.messages.filter { $0.channel != .email }.count == 2)
        #expect(sender.messages.contains { $0.to == "alice@contoso.com" })
        #expect(notices.count == 1, "told once, however many refusals")
        #expect(notices.first?.subject?.contains("plus de SMS ni d’appels aujourd’hui") == true, "in the administrator's language")
        let audited = try await store.auditEvents(ActivityQuery()).filter { $0.activity == .phoneBudgetSpent }
        #expect(audited.count == 1 && audited.first?.target == "all" && audited.first?.status == .failure)
        #expect(recorded.counterTotal(label: "sesame_throttle_blocks_total", dimensions: [("kind", "phoneBudget")]) == 2)

        clock.advance(by: 86_400)
        try await first.send(message(.sms, to: "+33612345670"))
        #expect(sender.messages.filter { $0.channel != .email }.count == 3, "a new UTC day, a new budget")
    }

    @Test func aCountrysBudgetRefusesItsNumbersOnly() async throws {
        try await addAdministrator(locale: .english)
        let outbox = instance(PhoneBudget(daily: 10, byCallingCode: [44: 1]))
        try await outbox.send(message(.sms, to: "+447700900123"))
        await #expect(throws: DeliveryError.self) { try await outbox.send(message(.sms, to: "+447700900124")) }
        try await outbox.send(message(.sms, to: "+33612345678"))
        #expect(notices.map(\.subject) == ["Sesame: no more texts or calls to +44 today"])
        #expect(try await store.auditEvents(ActivityQuery()).filter { $0.activity == .phoneBudgetSpent }.map(\.target) == ["+44"])
    }

    @Test func aBudgetOfZeroSendsNoTextOrCall() async throws {
        let outbox = instance(PhoneBudget(daily: 0))
        await #expect(throws: DeliveryError.self) { try await outbox.send(message(.sms, to: "+33612345678")) }
        #expect(sender.messages.isEmpty)
    }
}
