import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// The registration portal's rules over the real store (docs/behaviour.md#registration-portal): codes, the phone rule,
/// the send limits, activity rows and re-confirmation. The portal's pages are tested over HTTP in SesameWebTests.
@Suite struct RegistrationServiceTests {
    let clock = ManualClock(t0)
    let store: any Store
    let sender = RecordingSender()
    let service: RegistrationService

    init() throws {
        store = InMemoryStore()
        service = RegistrationService(
            store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender, reportLinks: .testing(store: store, clock: clock, outbox: sender), clock: clock,
            random: SystemRandomSource())
    }

    func addUser(_ userID: String = "alice@contoso.com", mobile: String? = nil) async throws -> User {
        var user = User(userID: userID, givenName: "Alice", surname: "Martin", createdAt: t0)
        user.authentication.mobilePhone = try mobile.map(PhoneNumber.init(international:))
        try await store.insertUser(user)
        return user
    }

    func pending(_ send: RegistrationSend) throws -> PendingRegistrationCode {
        guard case .sent(let pending) = send else { throw TestFailure("expected a code sent, got \(send)") }
        return pending
    }

    func sendSMS(_ number: String = "06 12 34 56 78", for user: User, from client: String = "198.51.100.1") async throws -> RegistrationSend {
        try await service.sendCode(toRegion: "FR", number: number, channel: .sms, for: user, language: .english, client: client)
    }

    @Test func aCodeSentAndConfirmedSavesTheMethodAndAnActivityRow() async throws {
        let user = try await addUser()
        let pending = try pending(try await sendSMS(for: user))
        #expect(pending.destination == "+33612345678" && pending.contact == .phone && pending.channel == .sms)
        let code = try #require(sender.lastCode)
        #expect(try await service.confirmCode(code, for: pending, user: user, language: .english) == .saved)
        let saved = try #require(try await store.user(id: user.id))
        #expect(saved.authentication.authenticationPhone == (try PhoneNumber(international: "+33612345678")))
        let rows = try await store.registrationActivities(ActivityQuery())
        #expect(rows.map(\.dataRegistered) == [.mobilePhone] && rows.map(\.userID) == [user.userID])
        // The code is spent: typed again, it saves nothing more.
        #expect(try await service.confirmCode(code, for: pending, user: saved, language: .english) == .notAccepted(.alreadyUsed))
        #expect(try await store.registrationActivities(ActivityQuery()).count == 1)
    }

    @Test func aWrongCodeSavesNothing() async throws {
        let user = try await addUser()
        let pending = try pending(try await service.sendCode(toAddress: "alice.private@example.org", for: user, language: .french, client: "198.51.100.1"))
        let code = try #require(sender.lastCode)
        let wrong = code == "111111" ? "222222" : "111111"
        #expect(try await service.confirmCode(wrong, for: pending, user: user, language: .english) == .notAccepted(.wrong(attemptsLeft: 2)))
        #expect(try await service.confirmCode("12ab", for: pending, user: user, language: .english) == .notAccepted(.malformed))
        #expect(try await store.user(id: user.id)?.authentication.authenticationEmail == nil)
        #expect(try await store.registrationActivities(ActivityQuery()).isEmpty)
    }

    @Test func aTypedAddressThatIsNoneIsRefusedAndNothingIsSent() async throws {
        let user = try await addUser()
        let send = try await service.sendCode(toAddress: "not an address", for: user, language: .english, client: "198.51.100.1")
        guard case .invalid = send else { throw TestFailure("expected invalid, got \(send)") }
        #expect(try await service.sendCode(toRegion: "ZZ", number: "0612345678", channel: .sms, for: user, language: .english, client: "198.51.100.1")
            == .invalid(LocalizedText("phone.unknownCountryCode", ["code": "ZZ"])))
        #expect(sender.messages.isEmpty)
    }

    /// 10 emails in 10 minutes; the 11th is refused by the user's own limit, from any network.
    @Test func theUsersEmailLimitRefusesTheEleventhCode() async throws {
        let user = try await addUser()
        for index in 1...10 {
            _ = try pending(try await service.sendCode(toAddress: "a\(index)@example.org", for: user, language: .english, client: "198.51.100.\(index)"))
        }
        #expect(try await service.sendCode(toAddress: "a11@example.org", for: user, language: .english, client: "203.0.113.1") == .refused(.email))
        #expect(sender.messages.count == 10)
    }

    /// 5 texts an hour to different numbers; the 6th is refused by the user's phone limit.
    @Test func theUsersPhoneLimitRefusesTheSixthCode() async throws {
        let user = try await addUser()
        for index in 1...5 {
            _ = try pending(try await sendSMS("06 12 34 56 7\(index)", for: user, from: "198.51.100.\(index)"))
        }
        #expect(try await sendSMS("06 12 34 56 76", for: user, from: "203.0.113.1") == .refused(.phone))
        #expect(sender.messages.count == 5)
    }

    /// One number gets 5 codes an hour whoever asks: the 6th user's send is refused, and that user's allowance is left.
    @Test func oneNumberGetsFiveCodesAnHourWhoeverAsks() async throws {
        for index in 1...5 {
            let user = try await addUser("user\(index)@contoso.com")
            _ = try pending(try await sendSMS(for: user, from: "198.51.100.\(index)"))
        }
        let sixth = try await addUser("user6@contoso.com")
        #expect(try await sendSMS(for: sixth, from: "203.0.113.1") == .refused(.destination))
        _ = try pending(try await sendSMS("06 12 34 56 79", for: sixth, from: "203.0.113.1"))
    }

    @Test func aNumberThePhoneRuleRefusesGetsNoCode() async throws {
        let user = try await addUser()
        // A French landline may be called, never texted.
        #expect(try await sendSMS("01 23 45 67 89", for: user) == .phoneRefused(LocalizedText("phone.landline", ["code": "33"])))
        _ = try await store.savePolicy(try Policy().setting(.allowedCountryCodes, to: "44"), expectedVersion: 0)
        #expect(try await sendSMS(for: user) == .phoneRefused(LocalizedText("phone.countryNotAllowed", ["code": "33"])))
        #expect(sender.messages.isEmpty)
        // Refused numbers spend no allowance: the user's five texts an hour are all left.
        for index in 1...5 {
            _ = try pending(try await service.sendCode(
                toRegion: "GB", number: "07400 12345\(index)", channel: .sms, for: user, language: .english, client: "198.51.100.1"))
        }
    }

    @Test func confirmingAgainUpdatesLastConfirmedAtAndKeepsTheFirstDate() async throws {
        let bare = try await addUser("bob@contoso.com")
        #expect(try await service.confirm(for: bare, requestID: nil) == .needsMore(methods: 1))
        #expect(try await store.user(id: bare.id)?.registration.isRegistered == false)

        let user = try await addUser(mobile: "+33 6 12 34 56 78")
        #expect(try await service.confirm(for: user, requestID: "req-1") == .confirmed)
        clock.advance(by: 200 * 86_400)
        let confirmed = try #require(try await store.user(id: user.id))
        #expect(try await service.confirm(for: confirmed, requestID: "req-2") == .confirmed)
        let reconfirmed = try #require(try await store.user(id: user.id)).registration
        #expect(reconfirmed.registeredAt == t0 && reconfirmed.lastConfirmedAt == t0.addingTimeInterval(200 * 86_400))
        let audit = try await store.auditEvents(ActivityQuery()).filter { $0.activity == .registered }
        #expect(Set(audit.compactMap(\.requestID)) == ["req-1", "req-2"])
    }

    @Test func answersAreValidatedThenSavedWithAnActivityRow() async throws {
        let user = try await addUser()
        let questions = Policy().availableQuestions
        let required = Policy().effective(for: user).questionsToRegister
        #expect(try await service.saveQuestions([(questions[0], "Grenoble")], for: user)
            == .refused(LocalizedText("questions.tooFew", ["count": String(required)])))
        let answers = questions.prefix(required).enumerated().map { (question: $0.element, answer: "answer number \($0.offset)") }
        #expect(try await service.saveQuestions(answers, for: user) == .saved)
        #expect(try await store.user(id: user.id)?.authentication.securityAnswers.count == required)
        #expect(try await store.registrationActivities(ActivityQuery()).map(\.dataRegistered) == [.securityQuestions])
    }
}
