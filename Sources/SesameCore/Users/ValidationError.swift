/// A refused input, with a message for the person who typed it and, when known, the field it came from.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: LocalizedText
    public let field: String?

    /// `nested`: arguments that are catalogue keys themselves, rendered in the reader's language (a country's name).
    public init(_ key: String, _ arguments: [String: String] = [:], nested: [String: String] = [:], field: String? = nil) {
        message = LocalizedText(key, arguments, nested: nested)
        self.field = field
    }

    /// The same error, attributed to `field`.
    public func on(_ field: String) -> ValidationError {
        ValidationError(message.key, message.arguments, nested: message.nested, field: field)
    }

    public func rendered(in language: Language) -> String {
        let text = message.rendered(in: language)
        return field.map { "\($0): \(text)" } ?? text
    }

    /// English, for logs and the command line.
    public var description: String { rendered(in: .english) }
}
