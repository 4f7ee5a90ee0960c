import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// What anyone who knows a user ID could do cheaply, bounded (docs/security.md#abuse): codes per user per day, sends
/// per network, wrong phone numbers per network, and security questions that cannot be redrawn for free.
@Suite struct AbuseLimitTests {
    let clock = ManualClock(t0)
    let store: any Store
    let sender = RecordingSender()
    let service: ResetService

    init() throws {
        store = InMemoryStore()
        service = ResetService(
            store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender, reportLinks: .testing(store: store, clock: clock, outbox: sender), clock: clock,
            random: SystemRandomSource())
    }

    func addUser(_ userID: String = "alice@contoso.com", questions: Int = 0) async throws -> User {
        var user = User(userID: userID, givenName: "Alice", surname: "Martin", createdAt: t0)
        user.authentication.mobilePhone = try PhoneNumber(international: "+33 6 12 34 56 78")
        user.authentication.alternateEmail = try EmailAddress("\(userID.prefix(while: { $0 != "@" })).private@example.org")
        for number in stride(from: 1, through: questions, by: 1) {
            user.authentication.securityAnswers.append(SecurityAnswer(question: .predefined(number), answerHash: try await fastHasher.hash("answer \(number)")))
        }
        try await store.insertUser(user)
        return user
    }

    func started(_ userID: String = "alice@contoso.com", from client: String = "198.51.100.1") async throws -> ResetFlow {
        guard case .verify(let flow, _, _) = try await service.start(userID: userID, clientAddress: client) else { throw TestFailure("no flow") }
        return flow
    }

    /// 9 emails every 10 minutes stay under the email limit; the day's bound stops them at 20, from any network.
    @Test func codesToOneUserAreBoundedPerDay() async throws {
        _ = try await addUser()
        var sent = 0
        for window in 0..<3 {
            for index in 0..<9 where sent < 20 {
                let step = try await service.choose(.email, in: try await started(), language: .english, clientAddress: "198.51.100.\(window * 10 + index)")
                guard case .waiting = step else { throw TestFailure("send \(sent + 1) refused: \(step)") }
                sent += 1
            }
            clock.advance(by: 601)
        }
        #expect(sent == 20 && sender.messages.count == 20)
        let refused = try await service.choose(.email, in: try await started(), language: .english, clientAddress: "203.0.113.9")
        guard case .sendRefused(_, .daily, _) = refused else { throw TestFailure("the 21st code of the day was not refused: \(refused)") }
        #expect(sender.messages.count == 20)
        // The next day, codes flow again.
        clock.advance(by: 86_400)
        guard case .waiting = try await service.choose(.email, in: try await started(), language: .english, clientAddress: "203.0.113.9") else {
            throw TestFailure("still refused a day later")
        }
    }

    @Test func sendsAskedFromOneNetworkAreBounded() async throws {
        for index in 1...21 { _ = try await addUser("user\(index)@contoso.com") }
        for index in 1...20 {
            let flow = try await started("user\(index)@contoso.com", from: "198.51.100.\(index)")
            guard case .waiting = try await service.choose(.email, in: flow, language: .english, clientAddress: "203.0.113.7") else {
                throw TestFailure("send \(index) refused")
            }
        }
        let flow = try await started("user21@contoso.com")
        guard case .sendRefused(let kept, .client, _) = try await service.choose(.email, in: flow, language: .english, clientAddress: "203.0.113.7") else {
            throw TestFailure("the 21st send from one network was not refused")
        }
        #expect(kept.challenge == nil, "the flow goes on: another option, or later")
        // The refusal is the network's: the user's own limits are untouched, and another network may send.
        guard case .waiting = try await service.choose(.email, in: flow, language: .english, clientAddress: "203.0.113.8") else {
            throw TestFailure("another network was refused")
        }
    }

    /// Before, every typed number counted against the user's phone limit: five wrong guesses by a stranger blocked the
    /// user for 24 hours.
    @Test func wrongPhoneNumbersBlockTheGuesserNotTheUser() async throws {
        _ = try await addUser()
        var guesser = try await started(from: "203.0.113.66")
        for guess in 1...5 {
            guesser = try waiting(try await service.choose(.mobileSMS, in: guesser, language: .english, clientAddress: "203.0.113.66"))
            guard case .incorrectPhoneNumber(let flow, _) = try await service.confirmPhone("06 00 00 00 0\(guess)", in: guesser, language: .english, clientAddress: "203.0.113.66") else {
                throw TestFailure("wrong number \(guess) accepted")
            }
            guesser = flow
        }
        #expect(try await service.confirmPhone("06 00 00 00 06", in: guesser, language: .english, clientAddress: "203.0.113.66") == .blocked)
        // Blocked means not checked: before, the right number was still accepted from the guesser's network, so that
        // guessing could go on one flow at a time.
        let again = try waiting(try await service.choose(.mobileSMS, in: try await started(from: "203.0.113.66"), language: .english, clientAddress: "203.0.113.66"))
        #expect(try await service.confirmPhone("06 12 34 56 78", in: again, language: .english, clientAddress: "203.0.113.66") == .blocked)
        // The user, from their own network, still gets their code.
        let user = try waiting(try await service.choose(.mobileSMS, in: try await started(), language: .english, clientAddress: "198.51.100.1"))
        guard case .waiting(let sent) = try await service.confirmPhone("06 12 34 56 78", in: user, language: .english, clientAddress: "198.51.100.1"),
              case .code = sent.challenge
        else { throw TestFailure("the user was blocked by a stranger's guesses") }
        #expect(sender.messages.count == 1)
    }

    /// Before, choosing the questions again (or starting again) drew new ones: every registered question could be seen
    /// without a single answer.
    @Test func questionsAreDrawnAgainOnlyAfterAWrongAnswer() async throws {
        _ = try await store.savePolicy(try Policy().setting(.methods, to: "securityQuestions,email"), expectedVersion: 0)
        _ = try await addUser(questions: 5)
        func drawn(_ flow: ResetFlow) throws -> Set<SecurityQuestion> {
            guard case .questions(let questions) = flow.challenge else { throw TestFailure("no questions") }
            return Set(questions)
        }
        let first = try waiting(try await service.choose(.securityQuestions, in: try await started(), language: .english, clientAddress: "a"))
        var seen: Set<SecurityQuestion> = try drawn(first)
        for _ in 0..<15 {
            let again = try waiting(try await service.choose(.securityQuestions, in: try await started(), language: .english, clientAddress: "a"))
            #expect(try drawn(again) == drawn(first))
            seen.formUnion(try drawn(again))
        }
        #expect(seen.count == 3, "fifteen new flows showed only the three questions of the first")
        let wrong = Dictionary(uniqueKeysWithValues: try drawn(first).map { ($0, "nope") })
        guard case .wrong(let redrawn, _, _) = try await service.answer(wrong, in: first) else { throw TestFailure("wrong answers accepted") }
        #expect(try drawn(redrawn) != drawn(first), "a wrong answer, which counts toward the block, gets other questions")
        let next = try waiting(try await service.choose(.securityQuestions, in: try await started(), language: .english, clientAddress: "a"))
        #expect(try drawn(next) == drawn(redrawn), "and a new flow asks those")
    }

    @Test func contactRequestsFromOneNetworkAreBounded() async throws {
        var admin = User(userID: "helpdesk@contoso.com", roles: [.helpdeskAdmin], createdAt: t0)
        admin.authentication.authenticationEmail = try EmailAddress("helpdesk@example.org")
        try await store.insertUser(admin)
        for index in 1...21 { _ = try await addUser("user\(index)@contoso.com") }
        for index in 1...21 {
            try await service.contactAdministrators(typedUserID: "user\(index)@contoso.com", supportCode: "S\(index)", clientAddress: "203.0.113.5")
        }
        #expect(sender.messages.count == 20, "the 21st request from one network sends nothing")
    }

    func waiting(_ step: GateStep) throws -> ResetFlow {
        guard case .waiting(let flow) = step else { throw TestFailure("expected waiting, got \(step)") }
        return flow
    }
}

extension AbuseLimitTests {
    /// Wrong numbers from many networks (or one IPv6 subscriber's many addresses, counted as its /64 by the web
    /// layer) add up: 20 a day, then the number on file is not checked at all, right or wrong.
    @Test func wrongPhoneNumbersFromManyNetworksAreBoundedPerDay() async throws {
        _ = try await addUser()
        var flow = try await started()
        for guess in 0..<20 {
            let network = "203.0.113.\(guess / 5)"
            flow = try waiting(try await service.choose(.mobileSMS, in: flow, language: .english, clientAddress: network))
            guard case .incorrectPhoneNumber(let next, _) = try await service.confirmPhone("06 00 00 00 \(10 + guess)", in: flow, language: .english, clientAddress: network) else {
                throw TestFailure("wrong number \(guess + 1) refused early")
            }
            flow = next
        }
        #expect(try await service.confirmPhone("06 12 34 56 78", in: flow, language: .english, clientAddress: "198.51.100.77") == .blocked)
        #expect(sender.messages.isEmpty, "the right number, once the day's guesses are spent, sends nothing and confirms nothing")
    }

    /// The day's bound is per channel: spending the email allowance leaves the phone.
    @Test func aSpentEmailAllowanceLeavesThePhone() async throws {
        _ = try await addUser()
        for window in 0..<3 {
            for index in 0..<9 where window * 9 + index < 20 {
                _ = try await service.choose(.email, in: try await started(), language: .english, clientAddress: "198.51.100.\(window * 10 + index)")
            }
            clock.advance(by: 601)
        }
        guard case .sendRefused(_, .daily, _) = try await service.choose(.email, in: try await started(), language: .english, clientAddress: "203.0.113.9") else {
            throw TestFailure("email not refused")
        }
        let phone = try waiting(try await service.choose(.mobileSMS, in: try await started(), language: .english, clientAddress: "203.0.113.9"))
        guard case .waiting(let sent) = try await service.confirmPhone("06 12 34 56 78", in: phone, language: .english, clientAddress: "203.0.113.9"),
              case .code = sent.challenge
        else { throw TestFailure("the phone was refused too") }
    }

    /// Simultaneous wrong answers in one flow: five are checked, then the block holds for the rest (docs/security.md#races).
    @Test func simultaneousWrongAnswersStopAtTheBlock() async throws {
        _ = try await store.savePolicy(try Policy().setting(.methods, to: "securityQuestions,email"), expectedVersion: 0)
        _ = try await addUser(questions: 5)
        let flow = try waiting(try await service.choose(.securityQuestions, in: try await started(), language: .english, clientAddress: "a"))
        guard case .questions(let drawn) = flow.challenge else { throw TestFailure("no questions") }
        let wrong = Dictionary(uniqueKeysWithValues: drawn.map { ($0, "nope") })
        let service = service
        let outcomes = try await withThrowingTaskGroup(of: GateStep.self) { group in
            for _ in 0..<30 { group.addTask { try await service.answer(wrong, in: flow) } }
            return try await group.reduce(into: [GateStep]()) { $0.append($1) }
        }
        let checked = outcomes.filter { if case .wrong = $0 { true } else { false } }.count
        #expect(checked == 4, "four wrong answers, the fifth blocks")
        #expect(outcomes.filter { $0 == .blocked }.count == 26)
    }
}
