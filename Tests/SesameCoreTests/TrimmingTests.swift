import Foundation
import Testing

@testable import SesameCore

/// Trimming is done without Foundation, and plain ASCII is normalised by its bytes: both must give Foundation's result.
@Suite struct TrimmingTests {
    /// Every ASCII byte around, inside and alone.
    static let asciiTexts = (UInt8(0)..<0x80).flatMap { byte in
        let around = String(UnicodeScalar(byte))
        return [around + "a@b.org" + around, around + around, "a" + around + "b", "\r\n" + around + "x y\r\n", around]
    }

    @Test func asFoundationTrimsIt() {
        for text in Self.asciiTexts + ["\u{2003}jose\u{301}@exemple.fr\u{85}", "\u{A0}Zoë\t", "", "\u{3000}", "\u{3000}\u{200B} \t\u{2028}", " \u{301}a", "\u{2028}x y\u{2029}"] {
            #expect(text.trimmingWhiteSpaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
            #expect(text.trimmingWhiteSpace() == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
    }

    /// Every scalar of the first three planes (White_Space has none past U+3000), around a word, in a `String` and
    /// in a `Substring`.
    @Test func asFoundationTrimsEveryScalar() {
        for value in UInt32(0)..<0x30000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let around = String(scalar)
            let text = around + "a" + around
            // Cut on scalars: a combining mark would join the brackets' characters.
            let wrapped = "<" + text + ">"
            let slice = wrapped[wrapped.unicodeScalars.index(after: wrapped.startIndex)..<wrapped.unicodeScalars.index(before: wrapped.endIndex)]
            let (both, spaces) = (text.trimmingCharacters(in: .whitespacesAndNewlines), text.trimmingCharacters(in: .whitespaces))
            #expect(text.trimmingWhiteSpaceAndNewlines() == both && slice.trimmingWhiteSpaceAndNewlines() == both, "U+\(String(value, radix: 16))")
            #expect(text.trimmingWhiteSpace() == spaces && slice.trimmingWhiteSpace() == spaces, "U+\(String(value, radix: 16))")
        }
    }

    @Test func asFoundationComposesIt() {
        for text in Self.asciiTexts + ["jose\u{301}", "e\u{301}\u{327}"] {
            #expect(text.precomposed == text.precomposedStringWithCanonicalMapping, "\(text.debugDescription)")
        }
        #expect("jose\u{301}".precomposed.unicodeScalars.count == 4)
    }
}
