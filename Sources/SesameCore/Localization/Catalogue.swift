/// Translations keyed by message key, one table per language.
public struct Catalogue: Sendable {
    public let tables: [Language: [String: String]]

    public init(tables: [Language: [String: String]]) {
        self.tables = tables
    }

    /// The messages of the domain core (validation, policy, passwords, questions, reports).
    public static let core = Catalogue(tables: [.english: english, .french: french])

    public func render(_ text: LocalizedText, in language: Language) -> String {
        // A missing translation falls back to English, then to the key itself, so a gap shows instead of crashing.
        var arguments = text.arguments
        for (name, key) in text.nested { arguments[name] = render(LocalizedText(key), in: language) }
        return Self.fill(template(text.key, in: language), with: arguments)
    }

    func template(_ key: String, in language: Language) -> String {
        tables[language]?[key] ?? tables[.english]?[key] ?? key
    }

    /// Replaces each `{name}` with its argument; unknown placeholders stay as they are.
    static func fill(_ template: String, with arguments: [String: String]) -> String {
        guard !arguments.isEmpty, template.contains("{") else { return template }
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                result += rest[open...]
                return result
            }
            let name = String(rest[rest.index(after: open)..<close])
            result += arguments[name] ?? String(rest[open...close])
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    /// The `{name}` placeholders a template uses, for checking that translations agree.
    public static func placeholders(in template: String) -> Set<String> {
        var names: Set<String> = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.insert(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}
