import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// What a user is found by, and the cursors and keys that come back from URLs and the database (docs/scale.md).
@Suite struct UserSearchTests {
    @Test func termsAreWordStartsOfWhatAdministratorsSeeAndNoMore() throws {
        let terms = UserSearch.terms(of: try sampleUser("marie.dupont@contoso.com"))
        #expect(terms.isSuperset(of: ["marie.dupont@contoso.com", "marie", "dupont", "alice martin", "alice", "martin"]))
        // The domain's words find everyone; the authentication email is the user's own, never shown to administrators.
        #expect(!terms.contains("contoso") && !terms.contains("com"))
        #expect(!terms.contains { $0.contains("private.example") })
    }

    @Test func asciiWordsSplitAsCharactersDo() throws {
        // Every ASCII byte, between letters: plain ASCII is split by bytes, the rest by characters.
        let names = (0..<128).map { "a" + String(UnicodeScalar(UInt8($0))) + "Z9" }
        for name in names + ["o'Brien-Smith_2", "ÉLodie.d'Arc", "\r\nx"] {
            let user = User(userID: "u@contoso.com", displayName: name, createdAt: t0)
            let expected = name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { UserSearch.normalize(String($0)) }
            #expect(UserSearch.terms(of: user).isSuperset(of: expected), "\(name.debugDescription)")
        }
    }

    @Test func termsAndSearchesAreFoldedAndCutToWholeCharactersWithinTheirBytes() {
        #expect(UserSearch.normalize("  ZOË Österberg ") == "zoe osterberg")
        #expect(UserSearch.normalize("Mal\u{0}lory\r\nsesame") == "mallorysesame", "control characters are no part of a name")
        #expect(UserSearch.normalize("\u{0} Bob ") == "bob", "dropped before trimming")
        // Plain ASCII takes a shorter way to the same result.
        for text in ["  Marie.DUPONT@Contoso.com  ", String(repeating: "Ab ", count: 60), "\tTabbed\t", "x"] {
            let folded = text.folding(options: [.caseInsensitive], locale: nil).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(UserSearch.normalize(text) == String(folded.prefix(128)))
        }
        // One character of thousands of bytes (a long joined emoji) is cut whole, never into invalid UTF-8.
        let family = String(repeating: "👨‍", count: 2_000) + "👨"
        #expect(family.count == 1)
        #expect(UserSearch.normalize(family).isEmpty)
        #expect(UserSearch.normalize(String(repeating: "é", count: 500)).utf8.count == 128)
    }

    @Test func cursorsAndKeysReadBackAndRefuseWhatTheyDidNotWrite() throws {
        let cursor = UserCursor(key: "zoë österberg", id: UUID())
        #expect(UserCursor(text: cursor.text) == cursor)
        let nul = Data("mar\u{0}".utf8).base64EncodedString() + "." + UUID().uuidString
        for forged in [nul, "", ".", "abc", "%%%." + UUID().uuidString, String(repeating: "A", count: 5_000) + "." + UUID().uuidString] {
            #expect(UserCursor(text: forged) == nil)
        }
        let activity = ActivityCursor(at: t0.addingTimeInterval(0.125), id: UUID())
        #expect(ActivityCursor(text: activity.text) == activity)
        for forged in ["nan~" + UUID().uuidString, "inf~" + UUID().uuidString, "1~x", "1~2~3"] { #expect(ActivityCursor(text: forged) == nil) }
        let profile = CoverageProfile(try sampleUser())
        #expect(CoverageProfile(key: profile.key) == profile)
        for forged in ["", "r1e1q3a1|p33y", "r1e1q3a1|p0y|o-", "r1e1qXa1|p-|o-", "r1e1q3a1x|p-|o-"] { #expect(CoverageProfile(key: forged) == nil) }
    }

    @Test func aCursorBelowTheSearchsRangeStartsAtTheFirstPage() {
        #expect(UserQuery(search: "mar", after: UserCursor(key: "", id: UUID()), limit: 10).after == nil)
        let inside = UserCursor(key: "martin", id: UUID())
        #expect(UserQuery(search: "mar", after: inside, limit: 10).after == inside)
    }
}
