/// The questions asked at a reset: `count` drawn at random from the user's registered ones, all to be answered right.
///
/// After a wrong answer the draw happens again (spec §3.3, against "question hammering"); when the user registered
/// more questions than are asked, the new draw is never the same set as the last one.
public struct QuestionDraw: Sendable, Hashable {
    public let questions: [SecurityQuestion]

    public init(questions: [SecurityQuestion]) {
        self.questions = questions
    }

    public static func draw(
        from registered: [SecurityQuestion],
        count: Int,
        avoiding previous: QuestionDraw? = nil,
        using random: any RandomSource
    ) -> QuestionDraw {
        let canDiffer = registered.count > count
        while true {
            let picked = random.sample(registered, count: count)
            if !canDiffer || previous.map({ Set($0.questions) != Set(picked) }) ?? true {
                return QuestionDraw(questions: picked)
            }
        }
    }
}
