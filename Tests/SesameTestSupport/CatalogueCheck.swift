import Foundation
import SesameCore

/// What the catalogue tests check of each language against English, the source (docs/localization.md#checks); also
/// what `Tests/tools/check_catalogues.py` checks for translators, who do not build.
public enum CatalogueCheck {
    /// Each problem as a sentence naming the key; empty when the language's table is complete and well formed.
    public static func problems(in catalogue: Catalogue, language: Language) -> [String] {
        let english = catalogue.table(.english)
        let table = catalogue.table(language)
        var problems = Set(english.keys).subtracting(table.keys).map { "missing \($0)" }
        problems += Set(table.keys).subtracting(english.keys).map { "\($0) is not in English" }
        for (key, source) in english {
            guard let text = table[key] else { continue }
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                problems.append("\(key) is empty")
                continue
            }
            guard let format = MessageFormat(text), let sourceFormat = MessageFormat(source) else {
                problems.append("\(key) does not parse")
                continue
            }
            if format.argumentNames != sourceFormat.argumentNames {
                problems.append("\(key) has placeholders \(format.argumentNames.sorted()), English \(sourceFormat.argumentNames.sorted())")
            }
            for plural in format.plurals where plural.categories != language.pluralCategories {
                problems.append("\(key): plural \(plural.argument) has \(plural.categories.map(\.rawValue).sorted()), needs \(language.pluralCategories.map(\.rawValue).sorted())")
            }
        }
        return problems.sorted()
    }
}
