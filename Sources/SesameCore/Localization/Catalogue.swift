import Foundation

/// Translations keyed by message key, one table per language, read from the catalogue files
/// (docs/localization.md#catalogues).
public struct Catalogue: Sendable {
    private let tables: LanguageTables<[String: String]>

    public init(tables: LanguageTables<[String: String]>) {
        self.tables = tables
    }

    /// Catalogue files in these folders (`en.json`, `fr.json`, …); a later folder's keys replace an earlier one's.
    public init(folders: [URL]) {
        self.init(tables: .strings(in: folders))
    }

    /// The folders of the domain core's texts: its messages (validation, policy, passwords, questions, notices,
    /// reports) and the countries' names (`country.FR`), from CLDR.
    public static let coreFolders = ["Messages", "Countries"].map { Bundle.module.bundleURL.appendingPathComponent($0) }

    /// The messages of the domain core.
    public static let core = Catalogue(folders: coreFolders)

    /// Every key and text of one language, as its file has them (no English filled in).
    public func table(_ language: Language) -> [String: String] {
        tables[language]
    }

    public func render(_ text: LocalizedText, in language: Language) -> String {
        var arguments = text.arguments
        for (name, key) in text.nested { arguments[name] = render(LocalizedText(key), in: language) }
        return format(template(text.key, in: language), arguments, in: language)
    }

    /// The text for a key: the language's, else English, else the key itself, so a gap shows instead of crashing.
    public func template(_ key: String, in language: Language) -> String {
        tables[language][key] ?? tables[.english][key] ?? key
    }

    /// Fills a template; one that does not parse (the catalogue test forbids it) is shown as written.
    func format(_ template: String, _ arguments: [String: String], in language: Language) -> String {
        // On the bytes: Foundation's `contains` took 16,000 instructions a text, on every text of every page.
        guard template.utf8.contains(UInt8(ascii: "{")) else { return template }
        return MessageFormat(template)?.format(arguments, in: language) ?? template
    }
}
