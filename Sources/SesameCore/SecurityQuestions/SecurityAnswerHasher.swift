/// Turns typed answers into stored ones and checks typed answers against them: normalised, then Argon2id-hashed
/// (docs/behaviour.md#registration-portal).
public struct SecurityAnswerHasher: Sendable {
    private let hasher: any PasswordHasher

    public init(hasher: any PasswordHasher) {
        self.hasher = hasher
    }

    /// Validates the answers a user registers (``SecurityAnswerRules``) and hashes them.
    public func register(
        _ answers: [(question: SecurityQuestion, answer: String)], required: Int, offered: [SecurityQuestion]
    ) async throws -> [SecurityAnswer] {
        var stored: [SecurityAnswer] = []
        for (question, normalized) in try SecurityAnswerRules.validate(answers, required: required, offered: offered) {
            stored.append(SecurityAnswer(question: question, answerHash: try await hasher.hash(normalized)))
        }
        return stored
    }

    /// Whether every drawn question was answered right. Every answer is checked, right or wrong, so that the time
    /// taken does not tell which one failed.
    public func verify(_ typed: [SecurityQuestion: String], draw: QuestionDraw, registered: [SecurityAnswer]) async -> Bool {
        var allRight = !draw.questions.isEmpty
        for question in draw.questions {
            guard let answer = registered.first(where: { $0.question == question }) else { return false }
            let right = await hasher.verify(SecurityAnswer.normalize(typed[question] ?? ""), against: answer.answerHash)
            allRight = allRight && right
        }
        return allRight
    }
}
