import Foundation
import Testing

@testable import SesameCore

/// Plain ASCII is trimmed and normalised by its bytes, the rest by Foundation: both must give Foundation's result.
@Suite struct TrimmingTests {
    /// Every ASCII byte around, inside and alone.
    static let asciiTexts = (UInt8(0)..<0x80).flatMap { byte in
        let around = String(UnicodeScalar(byte))
        return [around + "a@b.org" + around, around + around, "a" + around + "b", "\r\n" + around + "x y\r\n", around]
    }

    @Test func asFoundationTrimsIt() {
        for text in Self.asciiTexts + ["\u{2003}jose\u{301}@exemple.fr\u{85}", "\u{A0}Zoë\t", ""] {
            #expect(text.trimmingWhiteSpaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
            #expect(text.trimmingWhiteSpace() == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
    }

    @Test func asFoundationComposesIt() {
        for text in Self.asciiTexts + ["jose\u{301}", "e\u{301}\u{327}"] {
            #expect(text.precomposed == text.precomposedStringWithCanonicalMapping, "\(text.debugDescription)")
        }
        #expect("jose\u{301}".precomposed.unicodeScalars.count == 4)
    }
}
