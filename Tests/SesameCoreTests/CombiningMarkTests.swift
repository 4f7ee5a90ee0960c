import Foundation
import Testing

@testable import SesameCore

/// A combining mark after `"`, `<`, `=` or `,` makes one Swift `Character` of both, yet browsers, XML parsers and
/// spreadsheets read Unicode scalars: escaping and quoting must look at scalars (docs/security.md#output-escaping).
@Suite struct CombiningMarkTests {
    static let acute = "\u{301}"

    /// Compares by scalars: `==` on `String` would call `"\u{301}` and `&quot;\u{301}` different yet hide a
    /// normalisation difference.
    private func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }

    @Test(arguments: ["\"", "<", ">", "&", "'"])
    func markupEscapesASpecialScalarFollowedByACombiningMark(_ special: String) {
        let escaped = Markup.escape("x" + special + Self.acute + " onfocus=alert(1)")
        #expect(!escaped.unicodeScalars.contains { "\"<>'".unicodeScalars.contains($0) })
        #expect(escaped.unicodeScalars.filter { $0 == "&" }.count == 1, "only the entity's own ampersand")
    }

    @Test func markupEscapesEachSpecialScalarOnce() {
        #expect(scalars(Markup.escape("a\"\u{301}<b>&'")) == scalars("a&quot;\u{301}&lt;b&gt;&amp;&#39;"))
    }

    @Test(arguments: ["=", "+", "-", "@"])
    func formulaGuardLooksAtTheFirstScalar(_ first: String) {
        let line = CSV.line([first + Self.acute + "HYPERLINK(1)"])
        #expect(line.unicodeScalars.first == "'")
    }

    @Test func aCommaQuoteOrNewlineWithACombiningMarkIsQuoted() {
        #expect(scalars(CSV.line(["a," + Self.acute + "b"])) == scalars("\"a," + Self.acute + "b\"\r\n"))
        #expect(scalars(CSV.line(["a\"" + Self.acute + "b"])) == scalars("\"a\"\"" + Self.acute + "b\"\r\n"))
        #expect(scalars(CSV.line(["a\n" + Self.acute + "b"])) == scalars("\"a\n" + Self.acute + "b\"\r\n"))
    }
}
