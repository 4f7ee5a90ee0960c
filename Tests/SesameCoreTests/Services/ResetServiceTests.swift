import Foundation
import SesameCore
import SesameTestSupport
import Synchronization
import Testing

@Suite struct ResetServiceTests {
    let clock = ManualClock(t0)
    let store: any Store
    let sender = RecordingSender()
    let service: ResetService

    init() throws {
        store = InMemoryStore()
        service = ResetService(store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender, reportLinks: .testing(store: store, clock: clock, outbox: sender), clock: clock, random: SeededRandomSource(seed: 9))
    }

    func addUser(_ userID: String = "alice@contoso.com", roles: Set<Role> = [], mobile: String? = "+33 6 12 34 56 78", email: String? = nil, questions: Int = 0) async throws -> User {
        var user = User(userID: userID, givenName: "Alice", surname: "Martin", roles: roles, passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0)
        user.authentication.mobilePhone = try mobile.map(PhoneNumber.init(international:))
        user.authentication.alternateEmail = try email.map(EmailAddress.init)
        for number in stride(from: 1, through: questions, by: 1) {
            user.authentication.securityAnswers.append(SecurityAnswer(question: .predefined(number), answerHash: try await fastHasher.hash("answer \(number)")))
        }
        for index in 1...12 { user.lockout.recordFailure(fingerprint: "f\(index)", at: t0) }
        try await store.insertUser(user)
        return user
    }

    func flow(_ start: ResetStart) throws -> (ResetFlow, [GateOption]) {
        guard case .verify(let flow, _, let options) = start else { throw TestFailure("expected verification, got \(start)") }
        return (flow, options)
    }

    func waiting(_ step: GateStep) throws -> ResetFlow {
        guard case .waiting(let flow) = step else { throw TestFailure("expected waiting, got \(step)") }
        return flow
    }

    @Test func unknownUsersEndLikeUsersWhoCannotBeVerifiedAndNothingIsSent() async throws {
        _ = try await addUser("bob@contoso.com", mobile: nil)
        #expect(try await service.start(userID: "ghost@contoso.com", clientAddress: "10.0.0.1") == .cannotVerify)
        #expect(try await service.start(userID: "bob@contoso.com", clientAddress: "10.0.0.1") == .cannotVerify)
        #expect(sender.messages.isEmpty)
        let rows = try await store.resetActivities(ActivityQuery())
        #expect(Set(rows.map(\.userID)) == ["ghost@contoso.com", "bob@contoso.com"] && rows.allSatisfy { $0.result == .failed })
    }

    /// Anyone may type a user ID, and reports print it on administrators' terminals: before, an escape sequence and
    /// a line break were kept as typed, enough to clear a screen or forge a report line.
    @Test func aTypedUserIDIsRecordedWithItsControlsEscaped() async throws {
        #expect(try await service.start(userID: "x\u{1B}[2J\r\n2026-12-03,admin@contoso.com,succeeded\u{202E}", clientAddress: "10.0.0.1") == .cannotVerify)
        let row = try #require(try await store.resetActivities(ActivityQuery()).first)
        #expect(row.userID == "x\\u{1B}[2J\\r\\n2026-12-03,admin@contoso.com,succeeded\\u{202E}")
    }

    @Test func eligibilityFailures() async throws {
        var disabled = try await addUser("off@contoso.com")
        disabled.enabled = false
        try await store.updateUser(disabled)
        #expect(try await service.start(userID: "off@contoso.com", clientAddress: "a") == .notEnabled)
        _ = try await addUser()
        _ = try await store.savePolicy(try Policy().setting(.group, to: "sspr").setting(.enabled, to: "selected"), expectedVersion: 0)
        #expect(try await service.start(userID: "alice@contoso.com", clientAddress: "a") == .notEnabled)
        _ = try await store.savePolicy(try Policy().setting(.methodsRequired, to: "2"), expectedVersion: 1)
        #expect(try await service.start(userID: "alice@contoso.com", clientAddress: "a") == .cannotVerify, "one method on file, two required")
        let details = try await store.resetActivities(ActivityQuery()).map(\.detail)
        #expect(details == [.insufficientMethods, .notInGroup, .accountDisabled])
    }

    @Test func oneGateBySMSWithThePhoneNumberCheck() async throws {
        let user = try await addUser()
        let (started, options) = try flow(try await service.start(userID: "Alice@contoso.com", clientAddress: "a"))
        #expect(options.map(\.option) == [.mobileSMS, .mobileVoice] && options[0].destination == "+33 6•• •• •• 78")
        var flow = try waiting(try await service.choose(.mobileSMS, in: started, language: .french, clientAddress: "192.0.2.1"))
        #expect(sender.messages.isEmpty, "nothing is sent before the number is typed")
        guard case .incorrectPhoneNumber = try await service.confirmPhone("06 12 34 56 79", in: flow, language: .french, clientAddress: "192.0.2.1") else { throw TestFailure("wrong number accepted") }
        #expect(sender.messages.isEmpty)
        flow = try waiting(try await service.confirmPhone("06 12 34 56 78", in: flow, language: .french, clientAddress: "192.0.2.1"))
        #expect(sender.messages.map(\.to) == ["+33612345678"] && sender.messages[0].language == .french)
        guard case .passed(let verified, let left) = try await service.verifyCode(sender.lastCode!, in: flow) else { throw TestFailure("right code refused") }
        #expect(left.isEmpty && verified.passed == [.mobileSMS])
        guard case .rejected(let reasons) = try await service.setPassword("short", in: verified) else { throw TestFailure("weak password accepted") }
        #expect(reasons.contains(.tooShort) && reasons.contains(.notEnoughCharacterClasses))
        #expect(try await service.setPassword("Yt7$Mx3!Ps9j", in: verified, language: .french) == .done)
        let after = try #require(try await store.user(id: user.id))
        #expect(await fastHasher.verify("Yt7$Mx3!Ps9j", against: after.passwordHash!))
        // Before, no path set a user's language, so every notice went out in English.
        #expect(after.locale == .french)
        try await eventually { sender.messages.count == 2 }
        #expect(sender.messages.last?.language == .french, "the notice of the reset is in the language it was done in")
        #expect(!after.lockout.isLocked(at: clock.now), "a reset unlocks")
        let row = try #require(try await store.resetActivities(ActivityQuery()).first)
        #expect(row.result == .succeeded && row.methodsUsed == [.mobileSMS] && row.userID == "Alice@contoso.com")
        #expect(try await store.auditEvents(ActivityQuery()).first?.activity == .selfServiceResetPassword)
    }

    @Test func twoGatesRemoveTheFirstMethod() async throws {
        _ = try await addUser(roles: [.helpdeskAdmin], email: "alice@example.org")
        let (started, options) = try flow(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        #expect(Set(options.map(\.option)) == [.email, .mobileSMS, .mobileVoice])
        let flow = try waiting(try await service.choose(.email, in: started, language: .english, clientAddress: "192.0.2.1"))
        #expect(sender.messages.last?.channel == .email)
        guard case .passed(let first, let left) = try await service.verifyCode(sender.lastCode!, in: flow) else { throw TestFailure("email code refused") }
        #expect(left.map(\.option) == [.mobileSMS, .mobileVoice], "email is gone for the second gate")
        #expect(try await service.setPassword("Yt7$Mx3!Ps9j", in: first) == .rejected([]), "one gate is not enough")
        #expect(try await service.choose(.email, in: first, language: .english, clientAddress: "192.0.2.1") == .waiting(first), "the used method cannot be chosen again")
        var second = try waiting(try await service.choose(.mobileVoice, in: first, language: .english, clientAddress: "192.0.2.1"))
        second = try waiting(try await service.confirmPhone("+33 6 12 34 56 78", in: second, language: .english, clientAddress: "192.0.2.1"))
        #expect(sender.messages.last?.channel == .voice)
        let spoken = sender.messages.last!.text.filter(\.isNumber).prefix(6)
        guard case .passed(let both, let none) = try await service.verifyCode(String(spoken), in: second) else { throw TestFailure("voice code refused") }
        #expect(none.isEmpty && both.passed == [.email, .mobileVoice])
        #expect(try await service.setPassword("Yt7$Mx3!Ps9j", in: both) == .done)
    }

    @Test func wrongAnswersRedrawTheQuestions() async throws {
        _ = try await store.savePolicy(try Policy().setting(.methods, to: "securityQuestions,email"), expectedVersion: 0)
        _ = try await addUser(mobile: nil, questions: 5)
        let (started, _) = try flow(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        let flow = try waiting(try await service.choose(.securityQuestions, in: started, language: .english, clientAddress: "192.0.2.1"))
        guard case .questions(let drawn) = flow.challenge else { throw TestFailure("no questions") }
        #expect(drawn.count == 3)
        let wrongAnswers = Dictionary(uniqueKeysWithValues: drawn.map { ($0, "nope") })
        guard case .wrong(let redrawn, _, _) = try await service.answer(wrongAnswers, in: flow), case .questions(let again) = redrawn.challenge else {
            throw TestFailure("wrong answers accepted")
        }
        #expect(Set(again) != Set(drawn))
        let right = Dictionary(uniqueKeysWithValues: again.map { question -> (SecurityQuestion, String) in
            guard case .predefined(let number) = question else { return (question, "") }
            return (question, "ANSWER  \(number) ")
        })
        guard case .passed = try await service.answer(right, in: redrawn) else { throw TestFailure("right answers refused") }
    }

    @Test func fiveFailedProofsBlockForADay() async throws {
        let user = try await addUser()
        var (flow, _) = try flow(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        flow = try waiting(try await service.choose(.mobileSMS, in: flow, language: .english, clientAddress: "192.0.2.1"))
        flow = try waiting(try await service.confirmPhone("06 12 34 56 78", in: flow, language: .english, clientAddress: "192.0.2.1"))
        var results: [GateStep] = []
        for _ in 1...3 {
            let wrong = sender.lastCode == "000000" ? "000001" : "000000"
            results.append(try await service.verifyCode(wrong, in: flow))
        }
        #expect(results.last.map { if case .codeUnusable = $0 { true } else { false } } == true, "three wrong tries void the code")
        flow = try waiting(try await service.choose(.mobileSMS, in: flow, language: .english, clientAddress: "192.0.2.1"))
        flow = try waiting(try await service.confirmPhone("06 12 34 56 78", in: flow, language: .english, clientAddress: "192.0.2.1"))
        _ = try await service.verifyCode(sender.lastCode == "000000" ? "000001" : "000000", in: flow)
        #expect(try await service.verifyCode(sender.lastCode == "000000" ? "000001" : "000000", in: flow) == .blocked)
        #expect(try await service.start(userID: "alice@contoso.com", clientAddress: "a") == .blocked)
        let blocked = try await store.resetActivities(ActivityQuery()).first
        #expect(blocked?.detail == .blockedInvalidCodes(.mobileSMS))
        let here = ThrottleKey(.addressIdentityProof, ThrottleKey.subject(user: user.id, client: "a"))
        #expect(try await store.throttleState(here)?.blockedUntil == clock.now.addingTimeInterval(86_400))
        #expect(try await store.auditEvents(ActivityQuery()).first?.activity == .blocked)
    }

    /// The block belongs to the user on that network: a flow started there before it cannot spend a temporary access
    /// pass after it, and the pass is not even checked (docs/behaviour.md#temporary-access-pass).
    @Test func aPassIsNotCheckedOnceAnotherFlowBlockedTheUser() async throws {
        let user = try await addUser()
        let pass = try await AccessPassService.testing(store: store, clock: clock, outbox: sender)
            .issue(to: user.userID, terms: AccessPassTerms(), authority: [.globalAdmin], actor: "cli").pass
        let (first, _) = try flow(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        let (second, _) = try flow(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        for _ in 1...4 {
            guard case .wrong = try await service.redeemAccessPass("abcd-efgh-jkmn", in: second) else { throw TestFailure("a wrong pass passed") }
        }
        #expect(try await service.redeemAccessPass("abcd-efgh-jkmn", in: second) == .blocked)
        #expect(try await service.redeemAccessPass(pass, in: first) == .blocked)
        #expect(try await store.accessPass(ofUser: user.id)?.usedAt == nil)
    }

    /// A reset a pass let through ends only while the pass is still the user's, and takes the pass with it.
    @Test func aRevokedPassStopsTheResetItLetThroughAndAUsedOneIsGone() async throws {
        let user = try await addUser()
        let passes = AccessPassService.testing(store: store, clock: clock, outbox: sender)
        let terms = AccessPassTerms(singleUse: false)
        var pass = try await passes.issue(to: user.userID, terms: terms, authority: [.globalAdmin], actor: "cli").pass
        var (flow, _) = try flow(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        guard case .passed(let passed, _) = try await service.redeemAccessPass(pass, in: flow) else { throw TestFailure("the pass did not pass") }
        try await passes.revoke(for: user.userID, actor: "cli")
        #expect(try await service.setPassword("Yt7$Mx3!Ps9j", in: passed) == .rejected([]), "revoked meanwhile")
        pass = try await passes.issue(to: user.userID, terms: terms, authority: [.globalAdmin], actor: "cli").pass
        (flow, _) = try self.flow(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        guard case .passed(let again, _) = try await service.redeemAccessPass(pass, in: flow) else { throw TestFailure("the pass did not pass") }
        #expect(try await service.setPassword("Yt7$Mx3!Ps9j", in: again) == .done)
        #expect(try await store.accessPass(ofUser: user.id) == nil, "even a reusable pass ends with the reset it served")
    }

    @Test func somethingThatCannotBeAPassCountsNoFailedProof() async throws {
        let user = try await addUser()
        let (flow, _) = try flow(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        for _ in 1...6 {
            guard case .wrong = try await service.redeemAccessPass("?", in: flow) else { throw TestFailure("not refused as wrong") }
        }
        #expect(try await store.throttleState(ThrottleKey(.identityProof, user.id.uuidString)) == nil)
    }

    @Test func theFlowLastsFifteenMinutes() async throws {
        _ = try await addUser()
        let (flow, _) = try flow(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        clock.advance(by: 15 * 60)
        #expect(try await service.choose(.mobileSMS, in: flow, language: .english, clientAddress: "192.0.2.1") == .expired)
        #expect(try await service.setPassword("Yt7$Mx3!Ps9j", in: flow) == .expired)
    }

    @Test func startsPerAddressAreThrottled() async throws {
        for _ in 1...20 { #expect(try await service.start(userID: "ghost@contoso.com", clientAddress: "192.0.2.7") == .cannotVerify) }
        #expect(try await service.start(userID: "ghost@contoso.com", clientAddress: "192.0.2.7") == .tooManyStarts)
        #expect(try await service.start(userID: "ghost@contoso.com", clientAddress: "192.0.2.8") == .cannotVerify)
    }

    @Test func deliveryFailuresAreReported() async throws {
        _ = try await addUser(email: "alice@example.org")
        let failing = ResetService(store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: RecordingSender(failing: true), reportLinks: .testing(store: store, clock: clock, outbox: RecordingSender(failing: true)), clock: clock, random: SystemRandomSource())
        let (flow, _) = try flow(try await failing.start(userID: "alice@contoso.com", clientAddress: "a"))
        guard case .deliveryFailed = try await failing.choose(.email, in: flow, language: .english, clientAddress: "192.0.2.1") else { throw TestFailure("no delivery failure") }
    }

    @Test func unlockWithoutReset() async throws {
        let user = try await addUser()
        var (flow, _) = try flow(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        #expect(try await service.unlock(flow) == .rejected([]), "not before the gates")
        flow = try waiting(try await service.choose(.mobileSMS, in: flow, language: .english, clientAddress: "192.0.2.1"))
        flow = try waiting(try await service.confirmPhone("06 12 34 56 78", in: flow, language: .english, clientAddress: "192.0.2.1"))
        guard case .passed(let verified, _) = try await service.verifyCode(sender.lastCode!, in: flow) else { throw TestFailure("code refused") }
        #expect(try await service.passwordChoice(for: verified, offeringUnlock: true) == .unlockOrNewPassword)
        #expect(try await service.unlock(verified) == .done)
        let after = try #require(try await store.user(id: user.id))
        #expect(!after.lockout.isLocked(at: clock.now) && after.passwordHash == user.passwordHash, "unlocked, same password")
        #expect(try await store.resetActivities(ActivityQuery()).first?.detail == .unlocked)
        #expect(try await store.auditEvents(ActivityQuery()).first?.activity == .selfServiceUnlock)
        _ = try await store.savePolicy(try Policy().setting(.allowUnlock, to: "false"), expectedVersion: 0)
        #expect(try await service.passwordChoice(for: verified, offeringUnlock: true) == .newPassword)
    }

    @Test func notificationsAfterAReset() async throws {
        var other = User(userID: "boss@contoso.com", roles: [.globalAdmin], createdAt: t0)
        other.authentication.alternateEmail = try EmailAddress("boss@example.org")
        other.locale = .french
        try await store.insertUser(other)
        _ = try await addUser(roles: [.userAdmin], email: "alice@example.org")
        var (flow, _) = try flow(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        flow = try waiting(try await service.choose(.email, in: flow, language: .english, clientAddress: "192.0.2.1"))
        guard case .passed(let first, _) = try await service.verifyCode(sender.lastCode!, in: flow) else { throw TestFailure("email") }
        flow = try waiting(try await service.choose(.mobileSMS, in: first, language: .english, clientAddress: "192.0.2.1"))
        flow = try waiting(try await service.confirmPhone("06 12 34 56 78", in: flow, language: .english, clientAddress: "192.0.2.1"))
        guard case .passed(let verified, _) = try await service.verifyCode(sender.lastCode!, in: flow) else { throw TestFailure("sms") }
        #expect(try await service.setPassword("Yt7$Mx3!Ps9j", in: verified) == .done)
        let notices = sender.messages.suffix(2)
        #expect(notices.map(\.to) == ["alice@example.org", "boss@example.org"])
        #expect(notices.first?.subject == "Your Sesame password was reset")
        #expect(notices.last?.subject == "Un administrateur de Sesame a réinitialisé son mot de passe", "in the recipient's language")
        #expect(notices.allSatisfy { !$0.text.contains("Yt7$Mx3!Ps9j") })
    }

    @Test func noNoticesWhenThePolicySaysSo() async throws {
        _ = try await store.savePolicy(try Policy().setting(.notifyUsers, to: "false"), expectedVersion: 0)
        _ = try await addUser(email: "alice@example.org")
        var (flow, _) = try flow(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        flow = try waiting(try await service.choose(.email, in: flow, language: .english, clientAddress: "192.0.2.1"))
        guard case .passed(let verified, _) = try await service.verifyCode(sender.lastCode!, in: flow) else { throw TestFailure("email") }
        let before = sender.messages.count
        #expect(try await service.setPassword("Yt7$Mx3!Ps9j", in: verified) == .done)
        #expect(sender.messages.count == before)
    }

    @Test func cancelAndAbandonAreRecorded() async throws {
        _ = try await addUser()
        let (flow, _) = try flow(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        try await service.end(flow, detail: .cancelledBeforeMethods, requestID: "req-1")
        let row = try #require(try await store.resetActivities(ActivityQuery()).first)
        #expect(row.result == .cancelled && row.requestID == "req-1")
    }
}

@Suite struct ContactAdministratorsTests {
    let clock = ManualClock(t0)
    let store: any Store
    let outbox = RecordingSender()
    let service: ResetService

    init() throws {
        store = InMemoryStore()
        service = ResetService(store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: outbox, reportLinks: .testing(store: store, clock: clock, outbox: outbox), clock: clock, random: SystemRandomSource())
    }

    func add(_ userID: String, _ roles: Set<Role> = [], locale: Language? = nil) async throws {
        var user = User(userID: userID, roles: roles, locale: locale, createdAt: t0)
        user.authentication.alternateEmail = try EmailAddress("alt.\(userID)")
        try await store.insertUser(user)
    }

    func recipients(after typed: String = "alice@contoso.com") async throws -> [String] {
        let before = outbox.messages.count
        try await service.contactAdministrators(typedUserID: typed, supportCode: "SUP-1", clientAddress: "192.0.2.1")
        return outbox.messages.dropFirst(before).map(\.to).sorted()
    }

    @Test func theFirstTierWithAnyoneInItIsAsked() async throws {
        try await add("alice@contoso.com")
        try await add("global@contoso.com", [.globalAdmin], locale: .french)
        #expect(try await recipients() == ["alt.global@contoso.com"])
        let french = try #require(outbox.messages.last)
        #expect(french.subject == "Sesame : alice@contoso.com demande la réinitialisation de son mot de passe")
        #expect(french.text.contains("Code de support : SUP-1"))

        try await add("bob@contoso.com")
        try await add("users@contoso.com", [.userAdmin])
        #expect(try await recipients(after: "bob@contoso.com") == ["alt.users@contoso.com"])

        try await add("carol@contoso.com")
        try await add("helpdesk@contoso.com", [.helpdeskAdmin])
        try await add("passwords@contoso.com", [.passwordAdmin, .userAdmin])
        #expect(try await recipients(after: "carol@contoso.com") == ["alt.helpdesk@contoso.com", "alt.passwords@contoso.com"])
    }

    @Test func unknownUsersAndRepeatsSendNothing() async throws {
        try await add("alice@contoso.com")
        try await add("helpdesk@contoso.com", [.helpdeskAdmin])
        #expect(try await recipients(after: "ghost@contoso.com").isEmpty)
        #expect(try await recipients().count == 1)
        #expect(try await recipients().isEmpty, "one request per user per hour")
        clock.advance(by: 3_601)
        #expect(try await recipients().count == 1)
    }

    @Test func atMostAHundredRecipients() async throws {
        try await add("alice@contoso.com")
        for index in 0..<105 { try await add("admin\(index)@contoso.com", [.passwordAdmin]) }
        #expect(try await recipients().count == 100)
    }

    @Test func anAdministratorAskingIsNotAskedThemself() async throws {
        try await add("helpdesk@contoso.com", [.helpdeskAdmin])
        try await add("global@contoso.com", [.globalAdmin])
        #expect(try await recipients(after: "helpdesk@contoso.com") == ["alt.global@contoso.com"])
    }
}
