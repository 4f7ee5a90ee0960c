import Foundation
import SesameCore

/// The web pages' texts, alongside the core's messages, in every language (docs/localization.md#catalogues).
enum WebCatalogue {
    /// Web texts first, then the core's (validation, password and policy messages).
    static let catalogue = Catalogue(folders: Catalogue.coreFolders + [Bundle.module.bundleURL.appendingPathComponent("Messages")])

    /// The texts as nested dictionaries (`signin.title` → `t.signin.title`), for the templates, built per language
    /// when first asked for.
    static func nested(_ language: Language) -> [String: Any] { nestedTables[language].root }

    static func text(_ key: String, _ arguments: [String: String] = [:], in language: Language) -> String {
        catalogue.render(LocalizedText(key, arguments), in: language)
    }

    static func render(_ text: LocalizedText, in language: Language) -> String {
        catalogue.render(text, in: language)
    }

    /// Immutable once built; `Any` is what the template engine reads, hence not `Sendable` by type.
    private final class NestedTexts: @unchecked Sendable {
        let root: [String: Any]
        init(_ root: [String: Any]) { self.root = root }
    }

    /// A language's missing keys take the English text, as `Catalogue.template` does for code.
    private static let nestedTables = LanguageTables<NestedTexts> { language in
        let texts = catalogue.table(.english).merging(catalogue.table(language)) { _, translated in translated }
        return NestedTexts(nest(texts))
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
