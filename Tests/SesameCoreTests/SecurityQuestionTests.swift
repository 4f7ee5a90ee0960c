import SesameArgon2
import SesameTestSupport
import Testing

@testable import SesameCore

@Suite struct SecurityQuestionTests {
    @Test func thirtyFivePredefinedQuestionsInBothLanguages() {
        #expect(PredefinedQuestions.count == 35)
        #expect(PredefinedQuestions.text(1, in: .english) == "In what city did you meet your first spouse/partner?")
        #expect(PredefinedQuestions.text(35, in: .english) == "Who is the most famous person you have ever met?")
        #expect(PredefinedQuestions.text(29, in: .french) == "Quel était le nom de votre premier animal de compagnie ?")
        #expect(PredefinedQuestions.text(36, in: .english) == nil)
        for language in Language.allCases {
            let texts = (1...35).compactMap { PredefinedQuestions.text($0, in: language) }
            #expect(Set(texts).count == 35, "\(language) questions are distinct")
        }
    }

    @Test func identifiers() {
        #expect(SecurityQuestion(identifier: "p7") == .predefined(7))
        #expect(SecurityQuestion(identifier: "p36") == nil)
        #expect(SecurityQuestion(identifier: "c:Badge colour?") == .custom("Badge colour?"))
        #expect(SecurityQuestion.custom("Badge colour?").text(in: .french) == "Badge colour?")
    }

    @Test func normalisation() {
        #expect(SecurityAnswer.normalize("  New   York ") == "new york")
        #expect(SecurityAnswer.normalize("ÉCOLE Jules-Ferry") == "école jules-ferry")
        #expect(SecurityAnswer.normalize("ｆｕｌｌｗｉｄｔｈ") == "fullwidth", "NFKC folds compatibility forms")
        #expect(SecurityAnswer.normalize("Straße") == SecurityAnswer.normalize("STRASSE"))
    }

    let offered = Policy().availableQuestions

    @Test func validAnswers() throws {
        let answers = try SecurityAnswerRules.validate(
            [(.predefined(1), "Paris"), (.predefined(2), " Lyon "), (.predefined(3), "Nantes")], required: 3, offered: offered)
        #expect(answers.map(\.normalized) == ["paris", "lyon", "nantes"])
    }

    @Test(arguments: [
        ([(1, "Paris"), (2, "Lyon")], "questions.tooFew"),
        ([(1, "Paris"), (1, "Lyon"), (3, "Nice")], "questions.duplicateQuestion"),
        ([(1, "Paris"), (2, " PARIS"), (3, "Nice")], "questions.duplicateAnswer"),
        ([(1, "Pa"), (2, "Lyon"), (3, "Nice")], "questions.answerLength"),
        ([(1, String(repeating: "x", count: 41)), (2, "Lyon"), (3, "Nice")], "questions.answerLength"),
    ])
    func refusedAnswers(_ pairs: [(Int, String)], _ key: String) {
        do {
            _ = try SecurityAnswerRules.validate(pairs.map { (.predefined($0.0), $0.1) }, required: 3, offered: offered)
            Issue.record("accepted")
        } catch {
            #expect(error.message.key == key)
        }
    }

    @Test func questionsNotOfferedAreRefused() throws {
        let policy = try Policy().setting(.predefinedQuestions, to: "1,2,3")
        #expect(throws: ValidationError.self) {
            try SecurityAnswerRules.validate(
                [(.predefined(1), "aaa"), (.predefined(2), "bbb"), (.predefined(9), "ccc")], required: 3, offered: policy.availableQuestions)
        }
        #expect(throws: ValidationError.self) {
            try SecurityAnswerRules.validate(
                [(.predefined(1), "aaa"), (.predefined(2), "bbb"), (.custom("Made up?"), "ccc")], required: 3, offered: policy.availableQuestions)
        }
    }

    @Test func askingAgainShowsTheSameQuestionsAndOnlyAWrongAnswerShowsOthers() throws {
        let registered = (1...5).map(SecurityQuestion.predefined)
        let secret = ServerSecret.generate(using: SeededRandomSource(seed: 3))
        let draw = { (user: String, round: Int) in
            QuestionDraw.draw(from: registered, count: 3, round: round, using: KeyedRandomStream(secret: secret, label: user))
        }
        var seen: Set<Set<SecurityQuestion>> = []
        for round in 0..<10 {
            let asked = draw("alice", round)
            #expect(asked.questions.count == 3 && Set(asked.questions).count == 3 && Set(asked.questions).isSubset(of: registered))
            // Asking again in the same round, from another flow, another instance: the same questions.
            #expect(draw("alice", round) == asked)
            if round > 0 { #expect(Set(draw("alice", round - 1).questions) != Set(asked.questions), "a wrong answer changes the set") }
            seen.insert(Set(asked.questions))
        }
        #expect(seen.count == 10, "ten rounds go through the ten sets of 3 out of 5")
        #expect((0..<10).map { draw("bob", $0) } != (0..<10).map { draw("alice", $0) }, "each user has their own order")
        // With exactly as many registered as asked, every round asks them all.
        let exact = QuestionDraw.draw(from: Array(registered.prefix(3)), count: 3, round: 4, using: KeyedRandomStream(secret: secret, label: "x"))
        #expect(Set(exact.questions) == Set(registered.prefix(3)))
    }
}

@Suite struct SecurityAnswerHasherTests {
    let answers = SecurityAnswerHasher(hasher: Argon2idHasher(parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 1)))
    let offered = Policy().availableQuestions

    @Test func registeredAnswersAreHashedNotKept() async throws {
        let stored = try await answers.register(
            [(.predefined(1), "Paris"), (.predefined(2), "Lyon"), (.custom("Badge?"), "Blue")], required: 3,
            offered: offered + [.custom("Badge?")])
        #expect(stored.map(\.question) == [.predefined(1), .predefined(2), .custom("Badge?")])
        #expect(stored.allSatisfy { $0.answerHash.hasPrefix("$argon2id$") && !$0.answerHash.lowercased().contains("paris") })
        let draw = QuestionDraw(questions: [.predefined(2), .predefined(1)])
        #expect(await answers.verify([.predefined(1): "  PARIS ", .predefined(2): "lyon"], draw: draw, registered: stored))
        #expect(!(await answers.verify([.predefined(1): "Paris", .predefined(2): "Lille"], draw: draw, registered: stored)))
        #expect(!(await answers.verify([.predefined(1): "Paris"], draw: draw, registered: stored)), "a missing answer is wrong")
        #expect(!(await answers.verify([:], draw: QuestionDraw(questions: []), registered: stored)), "an empty draw proves nothing")
        #expect(!(await answers.verify([.predefined(9): "x"], draw: QuestionDraw(questions: [.predefined(9)]), registered: stored)))
    }

    @Test func refusedAnswersAreNotHashed() async {
        await #expect(throws: ValidationError.self) {
            try await answers.register([(.predefined(1), "Paris"), (.predefined(2), "paris"), (.predefined(3), "Nice")], required: 3, offered: offered)
        }
    }
}
