import Foundation
import Testing

@testable import SesameCore

/// Percent-encoding is done without Foundation: it must give what Foundation gives with RFC 3986's unreserved set.
@Suite struct PercentEncodingTests {
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Every scalar of the first three planes, around a word, in a `String` and in a `Substring`.
    @Test func asFoundationEncodesEveryScalar() {
        for value in UInt32(0)..<0x30000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(scalar) + "a b" + String(scalar)
            let expected = text.addingPercentEncoding(withAllowedCharacters: Self.unreserved)
            #expect(text.percentEncodedUnreserved == expected && text[...].percentEncodedUnreserved == expected, "U+\(String(value, radix: 16))")
        }
    }

    @Test func keepsOnlyTheUnreserved() {
        #expect("Contoso & Co: a=b+c/d?e#f%".percentEncodedUnreserved == "Contoso%20%26%20Co%3A%20a%3Db%2Bc%2Fd%3Fe%23f%25")
        #expect("Zoë-1.2_3~👩🏽‍💻".percentEncodedUnreserved == "Zo%C3%AB-1.2_3~%F0%9F%91%A9%F0%9F%8F%BD%E2%80%8D%F0%9F%92%BB")
        #expect("".percentEncodedUnreserved == "")
    }
}
