import Foundation
import Testing

@testable import SesameCore

@Suite struct EmailAddressTests {
    @Test(arguments: [
        ("alice@contoso.com", "alice@contoso.com"),
        ("Alice.Martin+sspr@Contoso.COM", "Alice.Martin+sspr@contoso.com"),
        ("甲斐@黒川.日本", "甲斐@黒川.日本"),
        ("josé@exemple.fr", "josé@exemple.fr"),
        ("  bob@example.org \n", "bob@example.org"),
        ("o'hara@sub.domain.example", "o'hara@sub.domain.example"),
    ])
    func valid(_ text: String, _ stored: String) throws {
        #expect(try EmailAddress(text).value == stored)
    }

    @Test(arguments: [
        ("alice", "email.format"),
        ("alice@", "email.domain"),
        ("@contoso.com", "email.localPart"),
        ("alice..martin@contoso.com", "email.localPart"),
        (".alice@contoso.com", "email.localPart"),
        ("alice.@contoso.com", "email.localPart"),
        ("ali ce@contoso.com", "email.localPart"),
        ("alice@contoso", "email.domain"),
        ("alice@-contoso.com", "email.domain"),
        ("alice@contoso..com", "email.domain"),
        ("alice@contoso.123", "email.domain"),
        ("alice@con_toso.com", "email.domain"),
    ])
    func invalid(_ text: String, _ key: String) {
        do {
            _ = try EmailAddress(text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.message.key == key, "\(text)")
        }
    }

    @Test func lengthLimits() {
        let local64 = String(repeating: "a", count: 64)
        #expect((try? EmailAddress("\(local64)@example.com")) != nil)
        #expect(throws: ValidationError.self) { try EmailAddress("\(local64)a@example.com") }
        let label = String(repeating: "b", count: 63)
        #expect(throws: ValidationError.self) { try EmailAddress("a@\(label)b.com") }
        #expect(throws: ValidationError.self) { try EmailAddress("a@" + String(repeating: "\(label).", count: 4) + "com") }
    }

    @Test func masked() throws {
        #expect(try EmailAddress("alice@contoso.com").masked == "a••••@contoso.com")
        #expect(try EmailAddress("al@contoso.com").masked == "a•••@contoso.com")
    }
}
