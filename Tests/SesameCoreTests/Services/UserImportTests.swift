import Foundation
import SesameTestSupport
import Testing

@testable import SesameCore

@Suite struct UserImportTests {
    let store: any Store
    let importer: UserImport

    init() throws {
        store = InMemoryStore()
        importer = UserImport(administration: UserAdministration(store: store, hasher: fastHasher, clock: ManualClock(t0), outbox: RecordingSender(), reportLinks: .testing(store: store, clock: ManualClock(t0), outbox: RecordingSender())), store: store)
    }

    @Test func goodRowsLandAndBadRowsAreReportedByLine() async throws {
        try await store.insertUser(User(userID: "existing@contoso.com", displayName: "Old Name", createdAt: t0))
        let csv = """
            UserID,displayName,mobilePhone,alternateEmail,groups,roles,password
            alice@contoso.com,Alice,+33 6 12 34 56 78,alice@example.org,staff;sspr,,Zq8#Lw4!Vr2k
            bob@contoso.com,Bob,+33 6 12,,,,
            carol@contoso.com,"Carol, PhD",,carol@example.org,,superuser,
            existing@contoso.com,New Name,+44 7400 123456,,,,

            not-an-upn,X,,,,,
            erin@contoso.com,Erin,,,,helpdeskAdmin,
            """
        var progress: [UserImport.Progress] = []
        let outcomes = try await importer.run(csv, by: .serverOperator, actor: "cli", progressEvery: 2) { progress.append($0) }
        #expect(outcomes == [
            .created(line: 2, userID: "alice@contoso.com"),
            .failed(line: 3, message: "mobilePhone: this number is too short for France"),
            .failed(line: 4, message: "roles: unknown role \"superuser\" (allowed: globalAdmin, passwordAdmin, userAdmin, helpdeskAdmin)"),
            .updated(line: 5, userID: "existing@contoso.com"),
            .failed(line: 7, message: "userID: \"not-an-upn\" is not a user ID of the form name@domain"),
            .created(line: 8, userID: "erin@contoso.com"),
        ])
        #expect(progress.map(\.done) == [2, 4, 6] && progress.allSatisfy { $0.total == 6 })
        let alice = try #require(try await store.user(userID: "alice@contoso.com"))
        #expect(alice.groups == ["staff", "sspr"] && alice.authentication.alternateEmail?.value == "alice@example.org")
        #expect(await fastHasher.verify("Zq8#Lw4!Vr2k", against: try #require(alice.passwordHash)))
        let existing = try #require(try await store.user(userID: "existing@contoso.com"))
        #expect(existing.displayName == "New Name" && existing.authentication.mobilePhone?.e164 == "+447400123456")
        #expect(try await store.user(userID: "erin@contoso.com")?.roles == [.helpdeskAdmin])
        #expect(try await store.userCount() == 3)
    }

    /// docs/scale.md#batches: rows are taken in user ID order, as stored (trimmed, any case), a user's own rows in the
    /// file's order; a row without one comes first, to be reported.
    @Test func rowsAreTakenInUserIDOrderAUsersOwnInTheFilesOrder() throws {
        let records = try CSV.read("displayName,userID\nZ,zoe@x.org\nB1, Bob@x.org\nA,alice@x.org\nB2,bob@x.org \nSolo\nB3,BOB@x.org")
        let sorted = UserImport.inUserIDOrder(records.dropFirst(), names: ["displayName", "userID"])
        #expect(sorted.map(\.line) == [6, 4, 3, 5, 7, 2])
        // Two user ID columns: the last that holds one names the user, as the row's draft will.
        let twice = try CSV.read("userID,upn\nzoe@x.org,\nalice@x.org,\n,bob@x.org\nzed@x.org,carol@x.org")
        #expect(UserImport.inUserIDOrder(twice.dropFirst(), names: ["userID", "userID"]).map(\.line) == [3, 4, 5, 2])
    }

    /// Taken in user ID order, a file still ends as its own order says: a user's later row wins, whichever of the user
    /// ID columns names them, and outcomes come by line.
    @Test func aFileOutOfOrderEndsAsItsOrderSays() async throws {
        let csv = """
            userID,upn,displayName
            zoe@contoso.com,,Z1
            bob@contoso.com,,B1
            alice@contoso.com,,A
            ,BOB@contoso.com,B2
            carol@contoso.com,,C1
            zoe@contoso.com,,Z2
            ignored@contoso.com, carol@contoso.com,C2
            """
        let outcomes = try await importer.run(csv, by: .serverOperator, actor: "cli")
        #expect(outcomes.map(\.line) == Array(2...8) && outcomes.allSatisfy(\.isApplied))
        #expect(outcomes.filter { if case .created = $0 { true } else { false } }.map(\.line) == [2, 3, 4, 6])
        for (userID, name) in [("zoe", "Z2"), ("bob", "B2"), ("alice", "A"), ("carol", "C2")] {
            #expect(try await store.user(userID: "\(userID)@contoso.com")?.displayName == name, "\(userID)")
        }
        #expect(try await store.user(userID: "ignored@contoso.com") == nil)
        #expect(try await store.userCount() == 4)
    }

    /// docs/security.md#toll-fraud: a number nobody should be texted or called at is refused with its row.
    @Test func rowsWithNumbersThePhoneRuleRefusesAreRefused() async throws {
        _ = try await store.savePolicy(try Policy().setting(.allowedCountryCodes, to: "33,44,979"), expectedVersion: 0)
        let csv = """
            userID,mobilePhone,officePhone
            alice@contoso.com,+33 6 12 34 56 78,+33 1 23 45 67 89
            bob@contoso.com,+33 8 91 23 45 67,
            carol@contoso.com,,+44 909 876 5432
            dave@contoso.com,+979 1 2345 6789,
            erin@contoso.com,+1 201 555 0123,
            """
        let premium = "this is a premium-rate, shared-cost, satellite or other service number, which cannot receive codes: enter a mobile phone number"
        #expect(try await importer.run(csv, by: .serverOperator, actor: "cli") == [
            .created(line: 2, userID: "alice@contoso.com"),
            .failed(line: 3, message: "mobilePhone: \(premium)"),
            .failed(line: 4, message: "officePhone: \(premium)"),
            .failed(line: 5, message: "mobilePhone: \(premium)"),
            .failed(line: 6, message: "mobilePhone: phone numbers with country code +1 are not allowed by your organisation"),
        ])
        #expect(try await store.userCount() == 1)
    }

    @Test func headerProblemsStopBeforeAnyRow() async throws {
        await #expect(throws: UserImportError.unknownColumn("shoeSize")) {
            try await importer.run("userID,shoeSize\na@contoso.com,42\n", by: .serverOperator, actor: "cli")
        }
        await #expect(throws: UserImportError.missingUserID) { try await importer.run("displayName\nAlice\n", by: .serverOperator, actor: "cli") }
        #expect(try await importer.run("", by: .serverOperator, actor: "cli") == [.failed(line: 1, message: "the file is empty")])
        #expect(try await store.userCount() == 0)
    }

    @Test func brokenCSVIsReported() async throws {
        let outcomes = try await importer.run("userID,displayName\na@contoso.com,\"never closed\n", by: .serverOperator, actor: "cli")
        #expect(outcomes == [.failed(line: 2, message: "line 2: a quoted field is never closed")])
        let long = try await importer.run("userID,displayName\nb@contoso.com,\(String(repeating: "x", count: 5_000))\nc@contoso.com,C\n", by: .serverOperator, actor: "cli")
        #expect(long == [.failed(line: 2, message: "line 2: a field is longer than 4096 characters"), .created(line: 3, userID: "c@contoso.com")])
    }

    @Test func tooManyFields() async throws {
        let outcomes = try await importer.run("userID\na@contoso.com,extra\n", by: .serverOperator, actor: "cli")
        #expect(outcomes == [.failed(line: 2, message: "2 fields, but the header has 1")])
    }
}
