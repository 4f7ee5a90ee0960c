import SesameCore
import SesameTestSupport
import Testing

@testable import SesameWeb

@Suite struct WebCatalogueTests {
    /// Every language has every web text, placeholder and plural form (docs/localization.md#checks).
    @Test(arguments: Language.allCases) func everyLanguageHasEveryText(_ language: Language) {
        for problem in CatalogueCheck.problems(in: WebCatalogue.catalogue, language: language) { Issue.record("\(language.rawValue): \(problem)") }
    }

    /// French puts a (narrow) space before : ! ? — the catalogue carries the punctuation, so every text can.
    @Test func frenchPunctuationIsSpaced() {
        for (key, text) in WebCatalogue.catalogue.table(.french) {
            for mark in [":", "!", "?"] where text.contains(mark) {
                for range in text.ranges(of: mark) where range.lowerBound > text.startIndex {
                    let before = text[text.index(before: range.lowerBound)]
                    #expect(before == " " || before == "\u{202F}" || before == "\u{00A0}", "\(key): \(text)")
                }
            }
        }
    }

    @Test func theSeedsLabelsAreExact() {
        let expected: [(String, String, String)] = [
            ("register.title", "Don't lose access to your account!", "Ne perdez pas l’accès à votre compte !"),
            ("register.setUp", "Set it up now", "Configurer maintenant"),
            ("register.phone.text", "Text me", "Envoyez-moi un SMS"),
            ("register.phone.call", "Call me", "Appelez-moi"),
            ("register.code.verify", "Verify", "Vérifier"),
            ("register.thanks", "Thanks", "Merci"),
            ("register.finish", "Finish", "Terminer"),
        ]
        for (key, english, french) in expected {
            #expect(WebCatalogue.catalogue.table(.english)[key] == english)
            #expect(WebCatalogue.catalogue.table(.french)[key] == french)
        }
    }
}
