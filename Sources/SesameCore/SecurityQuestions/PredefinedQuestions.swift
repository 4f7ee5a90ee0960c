/// The 35 predefined security questions (Entra's, verbatim in English), translated in every catalogue as
/// `question.predefined.1` … `question.predefined.35` (docs/behaviour.md#policy-keys).
public enum PredefinedQuestions {
    public static let count = 35

    /// The text of question `number` (1–35).
    public static func text(_ number: Int, in language: Language, catalogue: Catalogue = .core) -> String? {
        guard (1...count).contains(number) else { return nil }
        return catalogue.template("question.predefined.\(number)", in: language)
    }
}
