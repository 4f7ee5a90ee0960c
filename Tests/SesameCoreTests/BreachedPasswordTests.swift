import Foundation
import Testing

@testable import SesameCore

/// The offline breached-password filter (docs/security.md#breached-passwords) and the engine's use of it.
@Suite struct BreachedPasswordTests {
    let engine = PasswordPolicyEngine()
    let filter = BreachedPasswordFilter.shared

    @Test func theShippedFilterLoadsWithTheWholeList() throws {
        #expect(try BreachedPasswordFilter.loadShipped() == 19_640)
        #expect(filter.entries == 19_640)
    }

    /// Random-looking entries of the list, which no other rule refuses: only the filter knows them. The list is
    /// lowercase, so a capitalised copy is refused too.
    @Test(arguments: ["Pe#5gz29ptzmse", "N8zgt5p0shw=", "Ka_djkhjsy6"])
    func breachedPasswordsAreRefused(_ password: String) {
        #expect(filter.contains(password))
        let rejections = engine.check(password, context: PasswordContext())
        #expect(rejections.contains(.breachedPassword), "\(password): \(rejections)")
    }

    @Test func theNISTRulesRefuseBreachedPasswordsToo() {
        let nist = PasswordPolicyEngine(rules: .nist)
        #expect(nist.check("John!20130605at1753", context: PasswordContext()) == [.breachedPassword])
    }

    /// Random 20-character passwords pass every rule (a false positive is about 1 in 12 million).
    @Test func randomPasswordsAreAccepted() {
        var generator = SystemRandomNumberGenerator()
        let nist = PasswordPolicyEngine(rules: .nist)
        let accepted = (0..<20).filter { _ in nist.check(Self.random(length: 20, using: &generator), context: PasswordContext()).isEmpty }
        #expect(accepted.count == 20)
    }

    /// The filter is built for about 1 in 12 million false positives; 100 000 random passwords may meet 2 at most
    /// (docs/security.md#breached-passwords).
    @Test func falsePositivesAreRare() {
        var generator = SystemRandomNumberGenerator()
        let trials = 100_000
        var hits = 0
        for _ in 0..<trials where filter.contains(Self.random(length: 20, using: &generator)) { hits += 1 }
        #expect(hits <= 2, "\(hits) false positives in \(trials)")
    }

    @Test func aDamagedFilterFailsToLoad() throws {
        #expect(throws: BreachedPasswordFilter.LoadError.truncated) { try BreachedPasswordFilter(base64: "") }
        #expect(throws: BreachedPasswordFilter.LoadError.notBase64) { try BreachedPasswordFilter(base64: "S1NNQ") }
        var bytes = [UInt8](try #require(Data(base64Encoded: BreachedPasswordFilter.shipped, options: .ignoreUnknownCharacters)))
        bytes[bytes.count - 1] ^= 0x01
        #expect(throws: BreachedPasswordFilter.LoadError.checksumMismatch) {
            try BreachedPasswordFilter(base64: Data(bytes).base64EncodedString())
        }
        bytes[0] = UInt8(ascii: "X")
        #expect(throws: BreachedPasswordFilter.LoadError.badMagic) {
            try BreachedPasswordFilter(base64: Data(bytes).base64EncodedString())
        }
        bytes[0] = UInt8(ascii: "S")
        #expect(throws: BreachedPasswordFilter.LoadError.badParameters) {
            try BreachedPasswordFilter(base64: Data(bytes.dropLast(1)).base64EncodedString())
        }
    }

    static func random(length: Int, using generator: inout SystemRandomNumberGenerator) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~")
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? "a" })
    }
}

/// The `passwordRules` policy key's NIST rules (docs/behaviour.md#passwords).
@Suite struct NISTPasswordRulesTests {
    let nist = PasswordPolicyEngine(rules: .nist)

    @Test func fifteenCharactersOfAnyKindWithoutClassRules() {
        #expect(nist.check("zqxwvtsrpkmnbvc", context: PasswordContext()) == [])
        #expect(nist.check("zqxwvtsrpkmnbv", context: PasswordContext()) == [.tooShort])
        #expect(nist.check("Mötley Crüe rocks hard", context: PasswordContext()) == [])
        #expect(nist.check("Морозный вечер зимой", context: PasswordContext()) == [])
    }

    @Test func passwordsAreNormalisedToNFKC() {
        // Full-width letters and a ligature become their plain forms: one password, whatever the keyboard.
        #expect(PasswordRules.nist.prepared("Ｚｑｘ ﬁve birds") == "Zqx five birds")
        #expect(PasswordRules.default.prepared("Ｚｑｘ") == "Ｚｑｘ")
        // The minimum counts what was typed, not what NFKC expands it to: a ligature is one character.
        #expect(nist.check("ﬃ wvtsrpkmnbv", context: PasswordContext()) == [.tooShort])
        #expect(nist.check("ﬃ wvtsrpkmnbvxyz", context: PasswordContext()) == [])
    }

    @Test func thePolicyKeyChoosesTheRules() throws {
        #expect(Policy().passwordRules == .entra)
        let policy = try Policy().setting(.passwordRules, to: "nist")
        #expect(PasswordPolicyEngine(policy: policy).rules == .nist)
        #expect(PolicyKey.passwordRules.value(in: policy) == "nist")
        #expect(throws: PolicyError.self) { try Policy().setting(.passwordRules, to: "strict") }
        // A policy saved before the key existed reads as Entra's rules.
        let old = try JSONDecoder().decode(Policy.self, from: JSONEncoder().encode(Policy()))
        #expect(old.passwordRules == .entra)
    }
}
