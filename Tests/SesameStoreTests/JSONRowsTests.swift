import Foundation
import SesameCore
import SesameTestSupport
import Testing

@testable import SesameStore

/// PostgreSQL's batches travel as JSON written by hand (docs/scale.md#batches): it must be JSON, and carry any text
/// as it is (a NUL too, which PostgreSQL's jsonb then refuses: no checked field holds one).
@Suite struct JSONRowsTests {
    static let texts = [
        "plain", "", "quote \" and backslash \\ and slash /", "\u{0}\u{1}\t\n\r\u{1F}\u{7F}", "Zoë 甲斐 🦆 \u{2028}\u{2029}",
        String((0..<128).map { Character(UnicodeScalar(UInt8($0))) }),
    ]

    @Test func everyTextComesBackAsItWas() throws {
        let rows = Self.texts.enumerated().map { ["n": String($0.offset), "text": $0.element] }
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(try JSONRows.encode(rows).utf8)) as? [[String: String]])
        #expect(parsed == rows)
    }

    @Test func numbersBooleansBytesAndNothing() throws {
        var user = User(userID: "Zoë@Contoso.com", displayName: "Zoë \"Z\" O'Brien", createdAt: Date(timeIntervalSince1970: 1_733_366_400.123456))
        user.authentication.sealedAuthenticatorSecret = Data([0, 1, 254, 255])
        let text = try JSONRows.encode([UserRow(user: user, withCreation: true)])
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        let row = try #require(parsed.first)
        #expect(row["user_id"] as? String == "zoë@contoso.com")
        #expect(row["display_name"] as? String == "Zoë \"Z\" O'Brien")
        #expect((row["enabled"] as? NSNumber)?.boolValue == true)
        #expect(row["lockout_failures"] as? Int == 0)
        #expect(row["authenticator_secret"] as? String == Data([0, 1, 254, 255]).base64EncodedString())
        #expect(row["password_hash"] == nil && row["locale"] == nil, "nil is left out")
        #expect(text.contains("\"created_at\":1733366400.123456"), "a double as Swift writes it back")
        #expect(try JSONRows.encode([[String: String]]()) == "[]")
    }

    /// The statements' column list and the row's keys are kept apart: a column the row left out would be NULL.
    @Test func aFullRowCarriesEveryColumnTheStatementsName() throws {
        var user = try sampleUser()
        user.lockout = SignInLockout(failures: 1, lockedUntil: t0.addingTimeInterval(60), recentWrongPasswords: ["fp1"], lastFailureAt: t0)
        let columns = Set(PostgresStore.userColumns.map(\.0))
        for withCreation in [true, false] {
            let parsed = try JSONSerialization.jsonObject(with: Data(try JSONRows.encode([UserRow(user: user, withCreation: withCreation)]).utf8))
            let keys = Set(try #require((parsed as? [[String: Any]])?.first).keys)
            #expect(keys == (withCreation ? columns : columns.subtracting(["created_at"])))
        }
    }

    /// Refused rather than written as NULL, which would, say, clear a lock held until infinity.
    @Test func aNumberWithoutJSONFormIsRefused() throws {
        var user = User(userID: "zoe@contoso.com", createdAt: t0)
        for value in [Double.nan, .infinity, -.infinity] {
            user.lockout = SignInLockout(lockedUntil: Date(timeIntervalSince1970: value))
            #expect(throws: StoreError.self) { try JSONRows.encode([UserRow(user: user, withCreation: false)]) }
        }
        // Swift writes the largest in exponent form, which JSON reads.
        user.lockout = SignInLockout(lockedUntil: Date(timeIntervalSince1970: 1e16))
        let text = try JSONRows.encode([UserRow(user: user, withCreation: false)])
        #expect(text.contains("\"locked_until\":1e+16"))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(parsed.first?["locked_until"] as? Double == 1e16)
    }
}
