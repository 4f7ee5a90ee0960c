import Foundation
import Synchronization

/// One value per language, built the first time that language is asked for and kept: a server whose users all read
/// two languages holds two catalogues in memory, not forty-three (docs/localization.md#catalogues).
public final class LanguageTables<Value: Sendable>: Sendable {
    private let load: @Sendable (Language) -> Value
    private let loaded = Mutex<[Language: Value]>([:])

    public init(_ load: @escaping @Sendable (Language) -> Value) {
        self.load = load
    }

    public subscript(language: Language) -> Value {
        if let value = loaded.withLock({ $0[language] }) { return value }
        // Built outside the lock: two first requests may both build it, and the first one stored wins.
        let value = load(language)
        return loaded.withLock { tables in
            if let existing = tables[language] { return existing }
            tables[language] = value
            return value
        }
    }

    /// A flat `{"key": "text"}` JSON file per language (`en.json`, `pt-BR.json`) from each folder, later folders'
    /// keys replacing earlier ones'. A missing or unreadable file is an empty table: English then stands in, and the
    /// catalogue test fails the build long before a server runs without one.
    public static func strings(in folders: [URL]) -> LanguageTables<[String: String]> {
        LanguageTables<[String: String]> { language in
            folders.reduce(into: [:]) { table, folder in
                let url = folder.appendingPathComponent("\(language.rawValue).json")
                guard let data = try? Data(contentsOf: url),
                    let strings = try? JSONDecoder().decode([String: String].self, from: data)
                else { return }
                table.merge(strings) { _, later in later }
            }
        }
    }
}
