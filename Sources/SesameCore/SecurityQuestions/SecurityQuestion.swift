/// A question a user answers: one of the predefined questions (localised), or an organisation's custom question
/// (shown as the administrator typed it, spec §3.3).
public enum SecurityQuestion: Sendable, Hashable, Codable, CustomStringConvertible {
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

    public init(from decoder: any Decoder) throws {
        let identifier = try decoder.singleValueContainer().decode(String.self)
        guard let question = SecurityQuestion(identifier: identifier) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown question \(identifier)"))
        }
        self = question
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(identifier)
    }
}
