/// A message to show a person: a catalogue key and named arguments, rendered in their language at the edge.
///
/// Arguments fill `{name}` placeholders; texts are never assembled by concatenation in code.
public struct LocalizedText: Sendable, Hashable, CustomStringConvertible {
    public let key: String
    public let arguments: [String: String]
    /// Arguments that are themselves catalogue keys, rendered in the same language (a method name in a sentence).
    public let nested: [String: String]

    public init(_ key: String, _ arguments: [String: String] = [:], nested: [String: String] = [:]) {
        self.key = key
        self.arguments = arguments
        self.nested = nested
    }

    public func rendered(in language: Language, catalogue: Catalogue = .core) -> String {
        catalogue.render(self, in: language)
    }

    /// English, for logs and command-line output.
    public var description: String { rendered(in: .english) }
}
