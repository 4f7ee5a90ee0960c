import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// "This wasn't me" (docs/behaviour.md#this-wasnt-me) over the in-memory store: the link in each notice, what
/// following it does, once, and the 24-hour block every reset path meets.
@Suite struct ReportLinkTests {
    let clock = ManualClock(t0)
    let store: any Store = InMemoryStore()
    let sender = RecordingSender()
    let links: ReportLinks
    let resets: ResetService

    init() {
        links = .testing(store: store, clock: clock, outbox: sender)
        resets = ResetService(
            store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender, reportLinks: links, clock: clock,
            random: SystemRandomSource())
    }

    func addUser(_ userID: String, roles: Set<Role> = [], email: String?) async throws -> User {
        var user = User(userID: userID, givenName: "Alice", surname: "Martin", roles: roles, passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0)
        user.authentication.alternateEmail = try email.map(EmailAddress.init)
        try await store.insertUser(user)
        return user
    }

    /// The token of the link in `message`.
    func token(in message: OutgoingMessage) throws -> String {
        try #require(message.text.firstMatch(of: /sesame\.test\/wasnt-me\/([A-Za-z0-9_-]{43})\?lang=(en|fr)/).map { String($0.output.1) })
    }

    /// A reset by email, to the end: what a user (or whoever has their mailbox) does.
    func reset(_ userID: String) async throws -> PasswordStep {
        guard case .verify(let started, _, _) = try await resets.start(userID: userID, clientAddress: "192.0.2.1") else { throw TestFailure("no reset") }
        guard case .waiting(let flow) = try await resets.choose(.email, in: started, language: .english, clientAddress: "192.0.2.1") else { throw TestFailure("no code") }
        guard case .passed(let verified, _) = try await resets.verifyCode(sender.lastCode!, in: flow) else { throw TestFailure("code refused") }
        return try await resets.setPassword("Yt7$Mx3!Ps9j", in: verified, language: .french)
    }

    /// Whoever reset the password chose the page's language, which became the user's: the notice says it again in
    /// the organisation's language, so the owner can read it whatever was chosen (docs/localization.md#notices).
    @Test func theNoticeIsAlsoInTheOrganisationsLanguage() async throws {
        _ = try await store.savePolicy(try Policy().setting(.defaultLanguage, to: "de"), expectedVersion: 0)
        _ = try await addUser("alice@contoso.com", email: "alice@example.org")
        #expect(try await reset("alice@contoso.com") == .done)
        let notice = try #require(sender.messages.last)
        let french = MessageComposer.accountNotice(
            .passwordReset, to: try EmailAddress("alice@example.org"), userID: "alice@contoso.com", reportLink: "LINK", organisation: "Sesame", language: .french)
        let german = MessageComposer.accountNotice(
            .passwordReset, to: try EmailAddress("alice@example.org"), userID: "alice@contoso.com", reportLink: "LINK", organisation: "Sesame", language: .german)
        #expect(notice.subject == "\(french.subject ?? "") · \(german.subject ?? "")")
        let link = try #require(notice.text.firstMatch(of: /https?:\/\/\S+/)).output
        #expect(notice.text == french.text.replacing("LINK", with: link) + "\n\n———\n\n" + german.text.replacing("LINK", with: link))
        #expect(notice.language == .french)
    }

    @Test func theResetNoticeCarriesALinkThatActsOnceAndBlocksResetsFor24Hours() async throws {
        let alice = try await addUser("alice@contoso.com", email: "alice@example.org")
        _ = try await addUser("helpdesk@contoso.com", roles: [.helpdeskAdmin], email: "helpdesk@example.org")
        #expect(try await reset("alice@contoso.com") == .done)
        let notice = try #require(sender.messages.last)
        #expect(notice.to == "alice@example.org" && notice.text.contains("Ce n’était pas moi"))
        let token = try token(in: notice)
        try await store.saveSession(key: "browser", data: Data(), userID: alice.id, expiresAt: clock.now.addingTimeInterval(3_600))

        // Looking is not acting: a scanner's fetch changes nothing.
        #expect(try await links.isLive(token))
        #expect(try await links.isLive(token))
        #expect(try await store.session(key: "browser", now: clock.now) != nil)
        #expect(try await store.auditEvents(ActivityQuery()).allSatisfy { $0.activity != .reportedEvent })

        let sentBefore = sender.messages.count
        #expect(try await links.report(token, requestID: "req-1"))
        #expect(try await store.session(key: "browser", now: clock.now) == nil, "every session of the user ended")
        let event = try #require(try await store.auditEvents(ActivityQuery()).first { $0.activity == .reportedEvent })
        #expect(event.target == "alice@contoso.com" && event.detail == "password reset" && event.requestID == "req-1")
        let adminNotice = try #require(sender.messages.dropFirst(sentBefore).first)
        #expect(adminNotice.to == "helpdesk@example.org" && adminNotice.subject?.contains("alice@contoso.com") == true)
        #expect(adminNotice.text.contains("req-1") && adminNotice.text.contains("password reset"))

        #expect(try await !links.report(token, requestID: "req-2"), "a replay is refused")
        #expect(try await !links.isLive(token))
        #expect(try await store.auditEvents(ActivityQuery()).filter { $0.activity == .reportedEvent }.count == 1)

        #expect(try await resets.start(userID: "alice@contoso.com", clientAddress: "192.0.2.9") == .blocked)
        clock.advance(by: 24 * 3_600 - 1)
        #expect(try await resets.start(userID: "alice@contoso.com", clientAddress: "192.0.2.9") == .blocked)
        clock.advance(by: 2)
        #expect(try await reset("alice@contoso.com") == .done, "allowed again after 24 hours")
    }

    /// Gates passed before the block prove nothing after it: the new password is refused.
    @Test func aFlowPastItsGatesMeetsTheBlock() async throws {
        let alice = try await addUser("alice@contoso.com", email: "alice@example.org")
        guard case .verify(let started, _, _) = try await resets.start(userID: "alice@contoso.com", clientAddress: "192.0.2.1") else { throw TestFailure("no reset") }
        guard case .waiting(let flow) = try await resets.choose(.email, in: started, language: .english, clientAddress: "192.0.2.1") else { throw TestFailure("no code") }
        guard case .passed(let verified, _) = try await resets.verifyCode(sender.lastCode!, in: flow) else { throw TestFailure("code refused") }
        let link = try await links.issue(for: alice.id, event: .methodsChanged, language: .english)
        #expect(try await links.report(String(link.dropFirst("\(ReportLinks.testURL)\(ReportLinks.path)".count).prefix(ReportLink.tokenLength)), requestID: nil))
        #expect(try await resets.setPassword("Yt7$Mx3!Ps9j", in: verified) == .blocked)
        #expect(await fastHasher.verify("Zq8#Lw4!Vr2k", against: try #require(try await store.user(id: alice.id)?.passwordHash)))
    }

    @Test func theChangeOfPasswordTheUnlockAndNewAnswersAreToldWithALink() async throws {
        var alice = try await addUser("alice@contoso.com", email: "alice@example.org")
        let signIns = SignInService(
            store: store, hasher: fastHasher, directory: nil, secret: .generate(using: SystemRandomSource()), clock: clock,
            dummyHash: try await fastHasher.hash("dummy"))
        let changes = PasswordChangeService(store: store, hasher: fastHasher, directory: nil, signIns: signIns, reportLinks: links, clock: clock)
        guard case .changed = try await changes.change(
            alice, current: "Zq8#Lw4!Vr2k", new: "Yt7$Mx3!Ps9j", confirm: "Yt7$Mx3!Ps9j", policy: Policy(), keepingSession: nil, requestID: nil)
        else { throw TestFailure("change refused") }
        let changed = try #require(sender.messages.last)
        #expect(changed.to == "alice@example.org" && changed.subject == "Your Sesame password was changed")
        #expect(try await links.isLive(try token(in: changed)))

        // Locked, then unlocked at the reset portal.
        alice = try #require(try await store.user(id: alice.id))
        for index in 1...12 { alice.lockout.recordFailure(fingerprint: "f\(index)", at: clock.now) }
        try await store.updateUser(alice)
        guard case .verify(let started, _, _) = try await resets.start(userID: "alice@contoso.com", clientAddress: "192.0.2.1"),
              case .waiting(let flow) = try await resets.choose(.email, in: started, language: .english, clientAddress: "192.0.2.1"),
              case .passed(let verified, _) = try await resets.verifyCode(sender.lastCode!, in: flow)
        else { throw TestFailure("no unlock") }
        #expect(try await resets.unlock(verified) == .done)
        let unlocked = try #require(sender.messages.last)
        #expect(unlocked.subject == "Your Sesame account was unlocked")
        #expect(try await links.isLive(try token(in: unlocked)))

        // New security answers replacing earlier ones.
        _ = try await store.savePolicy(try Policy().setting(.methods, to: "email,securityQuestions"), expectedVersion: 0)
        let registrations = RegistrationService(
            store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender, reportLinks: links, clock: clock,
            random: SystemRandomSource())
        let answers = (1...3).map { (question: SecurityQuestion.predefined($0), answer: "answer \($0)") }
        let before = sender.messages.count
        #expect(try await registrations.saveQuestions(answers, for: try #require(try await store.user(id: alice.id))) == .saved)
        #expect(sender.messages.count == before + 1, "a first set is told too")
        #expect(try await registrations.saveQuestions(answers, for: try #require(try await store.user(id: alice.id))) == .saved)
        let questions = try #require(sender.messages.last)
        #expect(questions.subject == "The security questions of your Sesame account changed")
        #expect(try await links.isLive(try token(in: questions)))
    }

    /// A new authenticator app or a new set of recovery codes is a new way to prove who one is: someone who held
    /// the session for a moment must not plant one unnoticed.
    @Test func aNewAuthenticatorAppAndNewRecoveryCodesAreToldWithALink() async throws {
        let user = try await addUser("alice@contoso.com", email: "alice@example.org")
        let registrations = RegistrationService(
            store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender, reportLinks: links, clock: clock,
            random: SystemRandomSource())
        let enrolment = try await registrations.newAuthenticator(for: user)
        let code = TimeBasedPassword.code(key: enrolment.secret.bytes, step: TimeBasedPassword.step(at: clock.now))
        #expect(try await registrations.confirmAuthenticator(code, for: enrolment, user: user) == .accepted)
        let app = try #require(sender.messages.last)
        #expect(app.to == "alice@example.org" && app.subject == "An authenticator app was set up for your Sesame account")
        #expect(try await links.isLive(try token(in: app)))
        let set = try await registrations.generateRecoveryCodes()
        let first = try #require(set.codes.first)
        #expect(try await registrations.confirmRecoveryCodes(first.grouped, of: set.hashes, for: user, requestID: nil) == .saved)
        let codes = try #require(sender.messages.last)
        #expect(codes.subject == "New recovery codes were made for your Sesame account" && !codes.text.contains(first.grouped))
        #expect(try await links.isLive(try token(in: codes)))
    }

    @Test func anExpiredUnknownOrMalformedLinkDoesNothing() async throws {
        let alice = try await addUser("alice@contoso.com", email: "alice@example.org")
        let link = try await links.issue(for: alice.id, event: .passwordReset, language: .english)
        let token = String(link.dropFirst("\(ReportLinks.testURL)\(ReportLinks.path)".count).prefix(ReportLink.tokenLength))
        clock.advance(by: 7 * 86_400)
        #expect(try await !links.isLive(token))
        #expect(try await !links.report(token, requestID: nil), "expired after 7 days")
        #expect(try await !links.report(String(repeating: "A", count: ReportLink.tokenLength), requestID: nil))
        #expect(try await !links.report("../../etc/passwd", requestID: nil))
        #expect(try await store.auditEvents(ActivityQuery()).isEmpty)
        #expect(try await resets.start(userID: "alice@contoso.com", clientAddress: "192.0.2.1") != .blocked)
    }

    @Test func theContactChangeNoticesCarryALinkFromEveryFrontEnd() async throws {
        _ = try await addUser("alice@contoso.com", email: "alice@example.org")
        let administration = UserAdministration(store: store, hasher: fastHasher, clock: clock, outbox: sender, reportLinks: links)
        var draft = UserDraft(userID: "alice@contoso.com")
        draft.alternateEmail = "alice@new.example.org"
        _ = try await administration.update(draft, actor: "admin@contoso.com")
        let adminChange = try #require(sender.messages.last)
        #expect(adminChange.to == "alice@example.org")
        #expect(try await links.isLive(try token(in: adminChange)))

        let registrations = RegistrationService(
            store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender, reportLinks: links, clock: clock,
            random: SystemRandomSource())
        let user = try #require(try await store.user(userID: "alice@contoso.com"))
        guard case .sent(let first) = try await registrations.sendCode(toAddress: "alice@auth.example.org", for: user, language: .french, client: "192.0.2.1")
        else { throw TestFailure("no code") }
        #expect(try await registrations.confirmCode(sender.lastCode!, for: first, user: user, language: .french) == .saved)
        let registered = try #require(try await store.user(userID: "alice@contoso.com"))
        guard case .sent(let second) = try await registrations.sendCode(toAddress: "alice@other.example.org", for: registered, language: .french, client: "192.0.2.1")
        else { throw TestFailure("no code") }
        let sentBefore = sender.messages.count
        #expect(try await registrations.confirmCode(sender.lastCode!, for: second, user: registered, language: .french) == .saved)
        // A change the user proved is told to every address on file, old and new (docs/behaviour.md#step-up).
        let told = sender.messages.dropFirst(sentBefore)
        #expect(Set(told.map(\.to)) == ["alice@auth.example.org", "alice@new.example.org", "alice@other.example.org"])
        let registrationChange = try #require(told.first)
        #expect(registrationChange.language == .french && told.allSatisfy { $0.language == .french })
        #expect(try await links.isLive(try token(in: registrationChange)))
    }
}
