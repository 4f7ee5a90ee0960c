import Foundation
import SesameTestSupport
import Testing

@testable import SesameCore

@Suite struct UserTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: ["alice@contoso.com", "O'Hara.J-x_y!#^~@sub.contoso.com", "ALICE@CONTOSO.COM"])
    func validUserPrincipalNames(_ name: String) throws {
        #expect(try UserPrincipalName.validate(name) == name.lowercased())
    }

    @Test(arguments: [
        ("alice", "upn.format"), ("@contoso.com", "upn.format"), ("a@b@c", "upn.format"),
        ("alice.@contoso.com", "upn.characters"), ("al ice@contoso.com", "upn.characters"), ("alicé@contoso.com", "upn.characters"),
        ("alice@contoso..com", "upn.characters"),
        (String(repeating: "a", count: 65) + "@contoso.com", "upn.tooLong"),
        ("a@" + String(repeating: "b", count: 45) + ".com", "upn.tooLong"),
    ])
    func invalidUserPrincipalNames(_ name: String, _ key: String) {
        do {
            _ = try UserPrincipalName.validate(name)
            Issue.record("\(name) accepted")
        } catch {
            #expect(error.message.key == key, "\(name)")
        }
    }

    @Test func signInLockoutDoublesUpToAnHour() {
        var lockout = SignInLockout()
        for index in 1...9 {
            lockout.recordFailure(fingerprint: "wrong\(index)", at: now)
            #expect(!lockout.isLocked(at: now))
        }
        lockout.recordFailure(fingerprint: "wrong10", at: now)
        #expect(lockout.lockedUntil == now.addingTimeInterval(60))
        lockout.recordFailure(fingerprint: "wrong11", at: now)
        #expect(lockout.lockedUntil == now.addingTimeInterval(120))
        for index in 12...20 { lockout.recordFailure(fingerprint: "wrong\(index)", at: now) }
        #expect(lockout.lockedUntil == now.addingTimeInterval(3_600))
        #expect(!lockout.isLocked(at: now.addingTimeInterval(3_600)))
        lockout.clear()
        #expect(lockout == SignInLockout())
    }

    @Test func smartLockoutIgnoresRepeatsOfTheLastThreeWrongPasswords() {
        var lockout = SignInLockout()
        for _ in 1...20 { lockout.recordFailure(fingerprint: "same", at: now) }
        #expect(lockout.failures == 1)
        for name in ["a", "b", "c", "a", "b"] { lockout.recordFailure(fingerprint: name, at: now) }
        #expect(lockout.failures == 4)
        lockout.recordFailure(fingerprint: "same", at: now)
        #expect(lockout.failures == 5, "forgotten once three others came after it")
    }

    @Test func resetLookupOrder() throws {
        let auth = try PhoneNumber(international: "+33 6 11 11 11 11")
        let mobile = try PhoneNumber(international: "+33 6 22 22 22 22")
        #expect(AuthenticationData(authenticationPhone: auth, mobilePhone: mobile).resetMobilePhone == auth)
        #expect(AuthenticationData(mobilePhone: mobile).resetMobilePhone == mobile)
        let registered = try EmailAddress("me@private.example")
        let alternate = try EmailAddress("me@alt.example")
        #expect(AuthenticationData(authenticationEmail: registered, alternateEmail: alternate).resetEmail == registered)
        #expect(AuthenticationData(alternateEmail: alternate).resetEmail == alternate)
    }

    @Test func roles() throws {
        #expect(try Role.parseList("globalAdmin;userAdmin") == [.globalAdmin, .userAdmin])
        #expect(try Role.parseList("none") == [])
        #expect(throws: ValidationError.self) { try Role.parseList("superuser") }
        let admin = User(userID: "a@b.c", roles: [.userAdmin, .globalAdmin], createdAt: now)
        #expect(admin.isPrivileged && admin.reportRole == "globalAdmin")
        #expect(User(userID: "a@b.c", createdAt: now).reportRole == "user")
    }

    @Test func reconfirmation() {
        var state = RegistrationState()
        #expect(!state.needsReconfirmation(reconfirmDays: 180, now: now))
        state.confirm(at: now)
        state.confirm(at: now.addingTimeInterval(10))
        #expect(state.registeredAt == now && state.lastConfirmedAt == now.addingTimeInterval(10))
        #expect(state.needsReconfirmation(reconfirmDays: 1, now: now.addingTimeInterval(86_411)))
        #expect(!state.needsReconfirmation(reconfirmDays: 1, now: now.addingTimeInterval(86_409)))
    }
}

@Suite struct CSVTests {
    @Test func readsQuotesNewlinesAndLineNumbers() throws {
        let text = "a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",3\n\n\"multi\nline\",2,\n last , 9,\"\""
        let records = try CSV.read(text)
        #expect(records.map(\.fields) == [["a", "b", "c"], ["x, y", "he said \"hi\"", "3"], ["multi\nline", "2", ""], [" last ", " 9", ""]])
        #expect(records.map(\.line) == [1, 2, 4, 6])
    }

    @Test func overLongFieldsSkipTheirRowOnly() throws {
        var errors: [CSV.ReadError] = []
        let text = "id\n" + String(repeating: "x", count: 10_000) + "\nok\n"
        let records = try CSV.read(text) { errors.append($0) }
        #expect(records.map(\.fields) == [["id"], ["ok"]])
        #expect(errors == [.fieldTooLong(line: 2)])
    }

    @Test func unterminatedQuote() {
        #expect(throws: CSV.ReadError.unterminatedQuote(line: 2)) { try CSV.read("a\n\"open,b\n") }
    }

    @Test func writingQuotesAndDefusesFormulas() {
        #expect(CSV.line(["plain", "a,b", "say \"x\"", "=HYPERLINK(1)", "-2"]) == "plain,\"a,b\",\"say \"\"x\"\"\",'=HYPERLINK(1),'-2\r\n")
    }
}

@Suite struct RandomSourceTests {
    @Test func seededSourcesRepeat() {
        #expect(SeededRandomSource(seed: 5).bytes(16) == SeededRandomSource(seed: 5).bytes(16))
        #expect(SeededRandomSource(seed: 5).bytes(16) != SeededRandomSource(seed: 6).bytes(16))
    }

    @Test func uniformStaysInRange() {
        let random = SystemRandomSource()
        for bound in [1, 2, 7, 1_000_000] as [UInt32] {
            for _ in 0..<200 { #expect(random.uniform(below: bound) < bound) }
        }
        #expect(Set(random.sample(Array(1...10), count: 10)) == Set(1...10))
        #expect(random.sample(Array(1...3), count: 5).count == 3)
    }
}

@Suite struct CSVFieldLengthTests {
    @Test(arguments: ["é", "e\u{301}", "x"])
    func aFieldOverTheLimitIsReportedWhateverItsCharacters(_ character: String) throws {
        var errors: [CSV.ReadError] = []
        let records = try CSV.read("userID\n" + String(repeating: character, count: CSV.maximumFieldLength + 1) + "\nbob", onError: { errors.append($0) })
        #expect(errors == [.fieldTooLong(line: 2)])
        #expect(records.map(\.fields) == [["userID"], ["bob"]])
    }
}

@Suite struct CSVRoundTripTests {
    /// Found by the `csv` fuzz target: a quote followed by a combining mark is one `Character`; the writer doubled
    /// the quote scalar and a reader by `Character` did not see it.
    @Test(arguments: ["u\"\u{0747}c", "\"\u{301}", "a,\"\u{301}b\n", "=\u{301}1", "x\r\ny"])
    func whatIsWrittenReadsBackFieldForField(_ value: String) throws {
        let records = try CSV.read(CSV.line(["a", value, "z"]))
        let expected = value.unicodeScalars.first.map { "=+-@".unicodeScalars.contains($0) } == true ? "'" + value : value
        #expect(records.map(\.fields) == [["a", expected, "z"]])
    }
}
