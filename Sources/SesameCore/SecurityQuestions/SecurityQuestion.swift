/// A question a user answers: one of the predefined questions (localised), or an organisation's custom question
/// (shown as the administrator typed it, docs/behaviour.md#policy-keys).
public enum SecurityQuestion: Sendable, Hashable, TextCodable, CustomStringConvertible {
    case predefined(Int)
    case custom(String)

    public func text(in language: Language) -> String {
        switch self {
        case .predefined(let number): PredefinedQuestions.text(number, in: language) ?? ""
        case .custom(let text): text
        }
    }

    /// A stable identifier for storage and forms: `p7` or `c:<text>`.
    public var identifier: String {
        switch self {
        case .predefined(let number): "p\(number)"
        case .custom(let text): "c:\(text)"
        }
    }

    public init?(identifier: String) {
        if identifier.hasPrefix("c:") {
            self = .custom(String(identifier.dropFirst(2)))
        } else if identifier.hasPrefix("p"), let number = Int(identifier.dropFirst()),
            (1...PredefinedQuestions.count).contains(number)
        {
            self = .predefined(number)
        } else {
            return nil
        }
    }

    public var description: String { identifier }

    public init(codableText: String) throws {
        guard let question = SecurityQuestion(identifier: codableText) else {
            throw UnknownIdentifier(description: "unknown question \(codableText)")
        }
        self = question
    }

    public var codableText: String { identifier }
}
