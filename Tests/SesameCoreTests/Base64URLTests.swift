import Foundation
import SesameTestSupport
import Testing

@testable import SesameCore

/// The base64url encoder, written from its alphabet, against Foundation's base64 made URL-safe as it was before.
@Suite struct Base64URLTests {
    @Test func agreesWithFoundationAndDecodesBackAtEveryLength() throws {
        var draws = SeededDraws(seed: 4648)
        for length in 0...70 {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &draws) }
                let foundation = Data(bytes).base64EncodedString()
                    .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
                #expect(bytes.base64URL == foundation)
                #expect([UInt8](base64URL: bytes.base64URL, limit: 100) == bytes)
            }
        }
    }

    @Test func rfc4648Vectors() {
        let vectors = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors { #expect(Array(plain.utf8).base64URL == encoded) }
        #expect([0xFB, 0xFF, 0xBF].base64URL == "-_-_")
    }
}
