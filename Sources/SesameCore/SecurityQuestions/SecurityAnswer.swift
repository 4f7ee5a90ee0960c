import Foundation

/// A registered answer: the question, and the Argon2id hash of the normalised answer. The answer itself is never kept.
public struct SecurityAnswer: Sendable, Hashable, Codable {
    public let question: SecurityQuestion
    public let answerHash: String

    public init(question: SecurityQuestion, answerHash: String) {
        self.question = question
        self.answerHash = answerHash
    }

    public static let length = 3...40

    /// Unicode NFKC, case-folded, inner white space collapsed to one space, trimmed
    /// (docs/behaviour.md#registration-portal), so that "  Paris " and "PARIS" are the same answer.
    public static func normalize(_ answer: String) -> String {
        answer.precomposedStringWithCompatibilityMapping
            .folding(options: [.caseInsensitive], locale: nil)
            .split(whereSeparator: \.isWhitespace)
            .joined(separator: " ")
    }
}

/// The rules a set of answers must follow at registration (docs/behaviour.md#registration-portal).
public enum SecurityAnswerRules {
    /// Checks the answers to the chosen questions, returning them normalised and ready to hash.
    ///
    /// - Parameters:
    ///   - answers: question and answer as typed, in the order shown.
    ///   - policy: the rules of the user registering.
    ///   - offered: the questions the policy offers.
    public static func validate(
        _ answers: [(question: SecurityQuestion, answer: String)],
        required: Int,
        offered: [SecurityQuestion]
    ) throws(ValidationError) -> [(question: SecurityQuestion, normalized: String)] {
        guard answers.count >= required else {
            throw ValidationError("questions.tooFew", ["count": String(required)])
        }
        var seenQuestions: Set<SecurityQuestion> = []
        var seenAnswers: Set<String> = []
        var result: [(question: SecurityQuestion, normalized: String)] = []
        for (question, answer) in answers {
            guard offered.contains(question) else { throw ValidationError("questions.notOffered") }
            guard seenQuestions.insert(question).inserted else { throw ValidationError("questions.duplicateQuestion") }
            let normalized = SecurityAnswer.normalize(answer)
            guard SecurityAnswer.length.contains(normalized.count) else {
                throw ValidationError("questions.answerLength", ["min": "3", "max": "40"])
            }
            guard seenAnswers.insert(normalized).inserted else { throw ValidationError("questions.duplicateAnswer") }
            result.append((question, normalized))
        }
        return result
    }
}
