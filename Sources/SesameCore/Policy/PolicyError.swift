/// A refused policy value: which knob, and why (with its allowed range).
public struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    public let key: PolicyKey
    public let message: LocalizedText

    public init(_ key: PolicyKey, _ messageKey: String, _ arguments: [String: String] = [:]) {
        self.key = key
        self.message = LocalizedText(messageKey, arguments.merging(["key": key.rawValue]) { current, _ in current })
    }

    public func rendered(in language: Language) -> String { message.rendered(in: language) }

    /// English, naming the key: "questionsToReset: must be a whole number from 3 to 5 (got 7)".
    public var description: String { message.description }
}

/// Every value refused by one save, so that a form can show each next to its field.
public struct PolicyErrors: Error, Sendable, Hashable, CustomStringConvertible {
    public let errors: [PolicyError]

    public init(errors: [PolicyError]) {
        self.errors = errors
    }

    public func error(for key: PolicyKey) -> PolicyError? {
        errors.first { $0.key == key }
    }

    public var description: String { errors.map(\.description).joined(separator: "; ") }
}
