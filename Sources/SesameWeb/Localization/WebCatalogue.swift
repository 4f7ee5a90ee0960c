import SesameCore

/// The web pages' texts, one table per language, alongside the core's messages.
enum WebCatalogue {
    /// Web texts first, then the core's (validation, password and policy messages).
    static let catalogue = Catalogue(tables: [
        .english: (Catalogue.core.tables[.english] ?? [:]).merging(english) { _, web in web },
        .french: (Catalogue.core.tables[.french] ?? [:]).merging(french) { _, web in web },
    ])

    /// The texts as nested dictionaries (`signin.title` → `t.signin.title`), for the templates.
    /// Immutable once built; `Any` is what the template engine reads, hence not `Sendable` by type.
    nonisolated(unsafe) static let nested: [Language: [String: Any]] = [.english: nest(english), .french: nest(french)]

    static func text(_ key: String, _ arguments: [String: String] = [:], in language: Language) -> String {
        catalogue.render(LocalizedText(key, arguments), in: language)
    }

    static func render(_ text: LocalizedText, in language: Language) -> String {
        catalogue.render(text, in: language)
    }

    private static func nest(_ table: [String: String]) -> [String: Any] {
        var root: [String: Any] = [:]
        for (key, value) in table {
            insert(value, at: key.split(separator: ".").map(String.init)[...], into: &root)
        }
        return root
    }

    private static func insert(_ value: String, at path: ArraySlice<String>, into node: inout [String: Any]) {
        guard let first = path.first else { return }
        if path.count == 1 {
            // A key that is also a prefix ("register.thanks" and "register.thanks.text") keeps its text as `_`.
            if var existing = node[first] as? [String: Any] {
                existing["_"] = value
                node[first] = existing
            } else {
                node[first] = value
            }
            return
        }
        var child: [String: Any]
        if let existing = node[first] as? [String: Any] {
            child = existing
        } else if let text = node[first] as? String {
            child = ["_": text]
        } else {
            child = [:]
        }
        insert(value, at: path.dropFirst(), into: &child)
        node[first] = child
    }
}
