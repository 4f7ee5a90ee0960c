import Foundation
import SesameCore
import SesameDelivery
import SesameDirectory
import SesameStore
import SesameTestSupport
import Testing

/// `directory sync` against the real slapd of `scripts/slapd`, into a SQLite store on disk.
@Suite struct DirectorySyncTests {
    let store: SQLiteStore
    let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
    let outbox: DeliveryQueue
    let target = TestDirectory.all[0]

    init() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sesame-sync-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try SQLiteStore(path: folder.appendingPathComponent("sesame.sqlite").path)
        outbox = DeliveryQueue(store: store, sender: ConsoleSender { _ in }, secret: .generate(using: SystemRandomSource()))
    }

    func sync() async throws -> SyncReport {
        try await DirectorySync(store: store, directory: try target.directory(), clock: clock, outbox: outbox, reportLinks: .testing(store: store, clock: clock, outbox: outbox)).run()
    }

    @Test func createsUsersWithTheirContactDataAndReportsWhatItCannotUse() async throws {
        let report = try await sync()
        #expect(Set(report.created).isSuperset(of: ["alice", "bob", "carol", "dave", "erin"]))
        let alice = try #require(try await store.user(userID: "alice"))
        #expect(alice.source == .directory && alice.displayName == "Alice Martin" && alice.givenName == "Alice")
        #expect(alice.authentication.mobilePhone?.e164 == "+33612345678")
        #expect(alice.authentication.officePhone?.e164 == "+33123456789")
        #expect(alice.authentication.alternateEmail?.value == "alice@example.org")
        #expect(alice.passwordHash == nil, "a directory user's password stays in the directory")
        #expect(try await store.user(userID: "dave")?.enabled == false)
        let problem = try #require(report.problems.first { $0.userID == "carol" })
        #expect(problem.field == "mobile" && problem.value == "not a phone")
        #expect(try await store.user(userID: "carol")?.authentication.mobilePhone == nil)
        let created = try await store.auditEvents(ActivityQuery()).filter { $0.activity == .userCreated }
        #expect(created.count == report.created.count && created.allSatisfy { $0.actor == DirectorySync.actor })
    }

    /// Before, a line break and 10 KB from the directory reached the store as they were, and `user show` printed
    /// them (docs/security.md#directory-values).
    @Test func namesFromTheDirectoryAreCheckedLikeAnyInput() async throws {
        let report = try await sync()
        let mallory = try #require(try await store.user(userID: "mallory"))
        #expect(mallory.displayName.isEmpty && mallory.surname.isEmpty)
        let name = try #require(report.problems.first { $0.userID == "mallory" && $0.field == "displayName" })
        #expect(name.value == "Mallory\\r\\nsesame: forged line" && name.message.key == "field.control")
        let surname = try #require(report.problems.first { $0.userID == "mallory" && $0.field == "surname" })
        #expect(surname.value == String(repeating: "x", count: 80) + "…" && surname.message.key == "field.tooLong")
    }

    /// docs/security.md#toll-fraud: a synced number is held to the phone rule, as an administrator's entry is.
    @Test func numbersThePhoneRuleRefusesAreReportedAndNotStored() async throws {
        _ = try await store.savePolicy(try Policy().setting(.allowedCountryCodes, to: "44"), expectedVersion: 0)
        let report = try await sync()
        let refused = report.problems.filter { $0.userID == "alice" }
        #expect(refused.map(\.field) == ["mobile", "telephoneNumber"])
        #expect(refused.allSatisfy { $0.message == LocalizedText("phone.countryNotAllowed", ["code": "33"]) })
        let alice = try #require(try await store.user(userID: "alice"))
        #expect(alice.authentication.mobilePhone == nil && alice.authentication.officePhone == nil)
        #expect(alice.authentication.alternateEmail?.value == "alice@example.org", "the rest of the entry is synced")
    }

    @Test func aSecondRunChangesOnlyWhatChangedAndDeletesNothing() async throws {
        try await store.insertUser(User(userID: "zoe", source: .directory, createdAt: clock.now))
        try await store.insertUser(User(userID: "bob", source: .local, createdAt: clock.now))
        let first = try await sync()
        #expect(first.missing == ["zoe"] && first.conflicts == ["bob"])
        #expect(try await store.user(userID: "zoe") != nil, "a user the directory no longer lists is kept")
        #expect(try await store.user(userID: "bob")?.source == .local, "a local user is left alone")

        var alice = try #require(try await store.user(userID: "alice"))
        alice.authentication.officePhone = try PhoneNumber(international: "+33 4 11 22 33 44")
        alice.displayName = "Alice M."
        try await store.updateUser(alice)
        let second = try await sync()
        #expect(second.created.isEmpty && second.updated == ["alice": ["displayName", "officePhone"]])
        #expect(second.unchanged == first.created.count - 1)
        #expect(try await store.user(userID: "alice")?.authentication.officePhone?.e164 == "+33123456789")
        let updated = try #require(try await store.auditEvents(ActivityQuery()).first)
        #expect(updated.activity == .userUpdated && updated.target == "alice" && updated.detail == "displayName, officePhone")
    }
}
