import Foundation
import Hummingbird
import Testing

@testable import SesameWeb

/// Browsers split HTML into Unicode scalars, while the template library compared whole `Character`s: `"` followed
/// by a combining mark is one `Character`, was left as it was, and closed the attribute (docs/security.md#output-escaping).
@Suite struct ScalarEscapingTests {
    /// Whether `text` holds `part` scalar for scalar (`String.contains` compares `Character`s, the bug itself).
    private func holds(_ text: String, _ part: String) -> Bool {
        let whole = Array(text.unicodeScalars), piece = Array(part.unicodeScalars)
        guard !piece.isEmpty, whole.count >= piece.count else { return false }
        return (0...(whole.count - piece.count)).contains { start in Array(whole[start..<(start + piece.count)]) == piece }
    }

    @Test func aQuoteWithACombiningMarkCannotLeaveTheUserIDAttribute() async throws {
        let harness = try await Harness()
        try await harness.browse { browser in
            let page = try await browser.get("/reset?userID=x%22%CC%81%20onfocus%3Dalert(1)%20autofocus")
            #expect(page.status == .ok)
            let closing = "\"\u{301} onfocus", kept = #"value="x&quot;"# + "\u{301}" + #" onfocus=alert(1) autofocus""#
            #expect(!holds(page.body, closing), "the quote would close the value attribute in a browser")
            #expect(holds(page.body, kept))
        }
    }

    @Test func theLayoutAndEveryPartialEscapeByScalar() async throws {
        let renderer = try await PageRenderer.load()
        let hostile = "\"\u{301}<\u{301}img src=x onerror=alert(1)>"
        let bytes = try #require(renderer.templates.render("reset-start", ["organisation": hostile, "title": hostile, "userID": hostile]))
        let html = String(decoding: bytes, as: UTF8.self)
        let tag = "<\u{301}img", quote = "\"\u{301}", escapedTag = "&lt;\u{301}img"
        #expect(!holds(html, tag) && !holds(html, quote))
        #expect(holds(html, escapedTag))
    }
}
