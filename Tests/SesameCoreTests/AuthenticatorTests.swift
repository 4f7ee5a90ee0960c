import Foundation
import SesameTestSupport
import Testing

@testable import SesameCore

/// HOTP and TOTP against their RFCs' own test values, and the key as apps take it (docs/behaviour.md#authenticator-app).
@Suite struct AuthenticatorTests {
    /// The RFCs' test key: the ASCII bytes of "12345678901234567890".
    let rfcKey = Array("12345678901234567890".utf8)

    @Test func hotpMatchesRFC4226AppendixD() {
        let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
        #expect((0..<10).map { OneTimePassword.hotp(key: rfcKey, counter: UInt64($0), digits: 6) } == expected)
    }

    @Test(arguments: [
        (59.0, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"), (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ])
    func totpMatchesRFC6238AppendixB(seconds: Double, code: String) {
        let step = TimeBasedPassword.step(at: Date(timeIntervalSince1970: seconds))
        #expect(TimeBasedPassword.code(key: rfcKey, step: step, digits: 8) == code)
    }

    @Test func oneStepEitherSideIsAcceptedAndNoFurther() throws {
        let now = t0
        let current = TimeBasedPassword.step(at: now)
        for offset in -3...3 {
            let code = try #require(VerificationCode(TimeBasedPassword.code(key: rfcKey, step: current + Int64(offset))))
            let matched = TimeBasedPassword.matchingStep(of: code, key: rfcKey, at: now)
            #expect(matched == (abs(offset) <= 1 ? current + Int64(offset) : nil), "offset \(offset)")
        }
    }

    @Test func base32FollowsRFC4648WithoutPadding() {
        #expect(Base32.encode(Array("".utf8)) == "")
        #expect(Base32.encode(Array("f".utf8)) == "MY")
        #expect(Base32.encode(Array("foob".utf8)) == "MZXW6YQ")
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(AuthenticatorSecret(bytes: rfcKey).base32 == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(AuthenticatorSecret(bytes: rfcKey).grouped == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ")
    }

    @Test func aNewKeyHas160BitsFromTheRandomSourceAndIsNeverPrinted() {
        let random = SeededRandomSource(seed: 3)
        let secret = AuthenticatorSecret.generate(using: random)
        #expect(secret.bytes.count == 20 && secret != AuthenticatorSecret.generate(using: random))
        #expect(!"\(secret)".contains(secret.base32) && !String(reflecting: secret).contains(secret.base32))
    }

    /// The issuer and the account are percent-encoded each: a colon, an ampersand or a space in a name cannot end
    /// the label or a parameter.
    @Test func theURINamesTheIssuerAndEncodesEveryName() {
        let secret = AuthenticatorSecret(bytes: rfcKey)
        #expect(secret.uri(issuer: "Contoso & Co: Paris", account: "alice@contoso.com") == "otpauth://totp/Contoso%20%26%20Co%3A%20Paris:alice%40contoso.com"
            + "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Contoso%20%26%20Co%3A%20Paris&algorithm=SHA1&digits=6&period=30")
        #expect(secret.uri(issuer: "Société", account: "é") == "otpauth://totp/Soci%C3%A9t%C3%A9:%C3%A9?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            + "&issuer=Soci%C3%A9t%C3%A9&algorithm=SHA1&digits=6&period=30")
    }

    /// A sealed key opens only for its user, its place and its server secret.
    @Test func aSealedKeyOpensOnlyWhereItWasSealed() throws {
        let server = ServerSecret.generate(using: SeededRandomSource(seed: 1))
        let keys = AuthenticatorKeys(secret: server)
        let secret = AuthenticatorSecret(bytes: rfcKey)
        let user = UUID()
        let sealed = try keys.seal(secret, for: user, in: .record)
        #expect(!sealed.contains(Data(rfcKey)))
        #expect(keys.open(sealed, for: user, in: .record) == secret)
        #expect(keys.open(sealed, for: UUID(), in: .record) == nil)
        #expect(keys.open(sealed, for: user, in: .session) == nil)
        #expect(AuthenticatorKeys(secret: .generate(using: SeededRandomSource(seed: 2))).open(sealed, for: user, in: .record) == nil)
        // Another use of the same server secret derives another key.
        #expect((try? SecretSeal(secret: server, label: "sesame outbox v1").open(sealed, context: "record|\(user.uuidString)")) == nil)
    }
}
