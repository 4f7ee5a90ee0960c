/// The questions asked at a reset: `count` of the user's registered ones, all to be answered right.
///
/// After a wrong answer the user gets other questions (docs/behaviour.md#security-questions, against "question
/// hammering"), but asking again without answering — choosing the option again, starting a new reset — shows the same
/// ones: otherwise anyone who knows a user ID could see every registered question for free
/// (docs/security.md#security-questions).
public struct QuestionDraw: Sendable, Hashable {
    public let questions: [SecurityQuestion]

    public init(questions: [SecurityQuestion]) {
        self.questions = questions
    }

    /// The draw for `round` (the user's failed proofs so far): the same round always gives the same set, and each
    /// round a different set from the one before whenever the user registered more questions than are asked.
    ///
    /// - Parameter random: a source that gives the same bytes for the same user, e.g. a ``KeyedRandomStream``.
    public static func draw(from registered: [SecurityQuestion], count: Int, round: Int, using random: any RandomSource) -> QuestionDraw {
        let sets = random.sample(combinations(of: registered, choosing: min(count, registered.count)), count: .max)
        guard !sets.isEmpty else { return QuestionDraw(questions: []) }
        return QuestionDraw(questions: sets[max(round, 0) % sets.count])
    }

    /// Every way of choosing `count` of `items`, in order (at most 10 here: 5 registered, 3 asked).
    static func combinations<T>(of items: [T], choosing count: Int) -> [[T]] {
        guard count > 0 else { return [[]] }
        guard let first = items.first else { return [] }
        let rest = Array(items.dropFirst())
        return combinations(of: rest, choosing: count - 1).map { [first] + $0 } + combinations(of: rest, choosing: count)
    }
}
