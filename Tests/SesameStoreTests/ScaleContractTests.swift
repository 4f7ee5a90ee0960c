import Foundation
import SesameCore
import SesameTestSupport
import Testing

@testable import SesameStore

/// What a million users need of every store (docs/scale.md): batches written whole or not at all, coverage counted
/// in the database, and the logs' filters, cursors and counts applied by the database exactly as the reports read them.
@Suite struct ScaleContractTests {
    /// A batch is written while the next is checked (docs/scale.md#batches): a user named again in the next batch, or
    /// twice in one, is created once and then updated, and every row is reported once.
    @Test(arguments: StoreAdapter.allCases)
    func aUserNamedAgainWhileTheirBatchIsWrittenIsUpdated(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let clock = ManualClock(t0)
            let administration = UserAdministration(
                store: store, hasher: fastHasher, clock: clock, outbox: RecordingSender(),
                reportLinks: .testing(store: store, clock: clock, outbox: RecordingSender()))
            let importer = UserImport(administration: administration, store: store)
            let size = UserImport.batchSize, count = 2 * size + 100
            // Rows are taken in user ID order: numbered so that it is the file's.
            let id = { (number: Int) in String(format: "user%05d@contoso.com", number) }
            var rows = (0..<count).map { id($0) + ",First" }
            // The first row of the second batch names the first batch's last user (padded, as validation trims it).
            rows[size] = " \(id(size - 1)) ,Again"
            rows[size + 500] = id(size + 400) + ",Twice"  // within the second batch
            var progress: [UserImport.Progress] = []
            let outcomes = try await importer.run(
                (["userID,displayName"] + rows).joined(separator: "\n"), by: .serverOperator, actor: "cli", progressEvery: size
            ) { progress.append($0) }
            #expect(outcomes.map(\.line) == Array(2...count + 1))
            #expect(outcomes[size] == .updated(line: size + 2, userID: id(size - 1)))
            #expect(outcomes[size + 500] == .updated(line: size + 502, userID: id(size + 400)))
            #expect(outcomes.filter { if case .created = $0 { true } else { false } }.count == count - 2)
            #expect(try await store.user(userID: id(size - 1))?.displayName == "Again")
            #expect(try await store.user(userID: id(size + 400))?.displayName == "Twice")
            #expect(try await store.userCount() == count - 2)
            #expect(progress.map(\.done) == [size, 2 * size, count])
        }
    }

    /// A sync writes a batch while it compares the next: an entry for a user of the batch being written (the same
    /// user ID in another case, which sorts apart) finds that user written, and updates it.
    @Test(arguments: StoreAdapter.allCases)
    func aSyncFindsTheUsersOfTheBatchBeingWritten(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let size = DirectorySync.batchSize
            let numbered = { (range: ClosedRange<Int>) -> [DirectoryEntry] in
                range.map { DirectoryEntry(userID: String(format: "u%06d@x", $0), displayName: "First") }
            }
            // Sorted, the two cases of one user ID are the last entry of the first batch and the first of the second.
            let twice = String(format: "u%06da@x", size - 1)
            let cases = [
                DirectoryEntry(userID: String(format: "u%06dA@x", size - 1), displayName: "First"), DirectoryEntry(userID: twice, displayName: "Second"),
            ]
            let entries = numbered(0...size - 2) + cases + numbered(size...2 * size + 98)
            let clock = ManualClock(t0)
            let sync = DirectorySync(
                store: store, directory: ListedDirectory(listed: entries.shuffled()), clock: clock, outbox: RecordingSender(),
                reportLinks: .testing(store: store, clock: clock, outbox: RecordingSender()))
            let report = try await sync.run()
            #expect(report.created.count == 2 * size + 99)
            #expect(report.updated.map { [$0.key.lowercased()] + $0.value } == [[twice, "displayName"]])
            #expect(try await store.userCount() == 2 * size + 99)
            #expect(try await store.user(userID: twice)?.displayName == "Second")
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func aBatchIsWrittenWholeOrNotAtAll(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            var batch = UserBatch()
            batch.inserts = try (0..<3).map { try sampleUser("batch\($0)@contoso.com") }
            batch.audit = batch.inserts.map { AuditEvent(at: t0, activity: .userCreated, actor: "import", target: $0.userID) }
            batch.registrations = [RegistrationActivity(at: t0, userID: "batch0@contoso.com", role: "user", dataRegistered: .email)]
            batch.resets = [ResetActivity(at: t0, userID: "batch1@contoso.com", role: "user", methodsUsed: [.email], detail: .succeeded)]
            try await store.apply(batch)
            #expect(try await store.userCount() == 3)
            #expect(try await store.user(userID: "BATCH2@contoso.com") == batch.inserts[2].withLowercasedUserID)
            #expect(try await store.auditEvents(ActivityQuery()).count == 3)
            #expect(try await store.registrationActivities(ActivityQuery()).count == 1)
            #expect(try await store.resetActivities(ActivityQuery()).count == 1)
            // The found-by terms were written with the users.
            #expect(try await store.users(UserQuery(search: "martin", limit: 10)).users.count == 3)

            // An update of an existing user, a new one, and one whose user ID is taken: nothing of it is written.
            var renamed = batch.inserts[0]
            renamed.displayName = "Renamed"
            var failing = UserBatch()
            failing.updates = [renamed]
            failing.inserts = [User(userID: "fresh@contoso.com", createdAt: t0), User(userID: "Batch1@contoso.com", createdAt: t0)]
            failing.audit = [AuditEvent(at: t0, activity: .userCreated, actor: "import", target: "fresh@contoso.com")]
            await #expect(throws: StoreError.duplicateUserID("Batch1@contoso.com")) { try await store.apply(failing) }
            #expect(try await store.userCount() == 3)
            #expect(try await store.user(id: renamed.id)?.displayName == "Alice Martin")
            #expect(try await store.auditEvents(ActivityQuery()).count == 3)
            // Twice in one batch is taken too.
            var twice = UserBatch()
            twice.inserts = [User(userID: "twin@contoso.com", createdAt: t0), User(userID: "TWIN@contoso.com", createdAt: t0)]
            await #expect(throws: StoreError.self) { try await store.apply(twice) }
            #expect(try await store.user(userID: "twin@contoso.com") == nil)
            // An update of nobody fails the batch.
            var ghost = UserBatch()
            ghost.updates = [User(userID: "ghost@contoso.com", createdAt: t0)]
            await #expect(throws: StoreError.self) { try await store.apply(ghost) }

            var updates = UserBatch()
            updates.updates = [renamed]
            try await store.apply(updates)
            #expect(try await store.users(UserQuery(search: "renamed", limit: 10)).users.map(\.id) == [renamed.id])
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func coverageIsCountedPerProfileWithCodesAndPasskeysApart(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let full = try sampleUser()
            try await store.insertUser(full)
            try await store.insertUser(try sampleUser("bob@contoso.com"))
            let bare = User(userID: "carol@contoso.com", createdAt: t0)
            try await store.insertUser(bare)
            try await store.replaceRecoveryCodes(userID: bare.id, with: [StoredRecoveryCode(slot: 0, hash: "h")])
            let counts = try await store.coverageCounts()
            #expect(counts.usersByProfile == [CoverageProfile(full).key: 2, CoverageProfile(bare).key: 1])
            #expect(counts.withRecoveryCodes == 1 && counts.withPasskeys == 0)
            let coverage = ActivityCharts.coverage(counts, phones: PhoneRule(allowedCountryCodes: nil), methods: AuthenticationMethod.allCases)
            #expect(coverage.users == 3 && coverage.registered == 2)
            #expect(coverage.byMethod == [.mobilePhone: 2, .officePhone: 2, .email: 2, .securityQuestions: 2, .authenticatorApp: 2, .recoveryCodes: 1])
            // The phone rule is applied when the chart is drawn, to phones kept as country and kind.
            let british = ActivityCharts.coverage(counts, phones: PhoneRule(allowedCountryCodes: [44]), methods: [.mobilePhone, .email])
            #expect(british.byMethod == [.email: 2])
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func logsAreFilteredPagedAndCountedByTheStore(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            // Five rows in one instant (their order of writing decides), and rows on two other days.
            var same: [ResetActivity] = []
            for index in 0..<5 {
                let activity = ResetActivity(
                    at: t0, userID: "user\(index)@contoso.com", role: "user", methodsUsed: index.isMultiple(of: 2) ? [.email, .mobileSMS] : [.securityQuestions],
                    detail: index == 4 ? .blockedInvalidCodes(.mobileSMS) : .succeeded)
                same.append(activity)
                try await store.appendResetActivity(activity)
            }
            try await store.appendResetActivity(ResetActivity(at: t0.addingTimeInterval(-86_400), userID: "Old@Contoso.com", role: "user", methodsUsed: [], detail: .abandonedAfterUserID))
            try await store.appendResetActivity(ResetActivity(at: t0.addingTimeInterval(3_600), userID: "late@contoso.com", role: "user", methodsUsed: [.email], detail: .succeeded))

            // Newest first, one instant in reverse order of writing, page after page by cursor.
            var query = ActivityQuery(limit: 3)
            var seen: [String] = []
            while true {
                let page = try await store.resetActivities(query)
                seen += page.map(\.userID)
                guard page.count == query.limit, let last = page.last else { break }
                query.after = ActivityCursor(at: last.at, id: last.id)
            }
            #expect(seen == ["late@contoso.com", "user4@contoso.com", "user3@contoso.com", "user2@contoso.com", "user1@contoso.com", "user0@contoso.com", "Old@Contoso.com"])

            func users(_ filters: [ActivityFilter]) async throws -> [String] {
                try await store.resetActivities(ActivityQuery(filters: filters)).map(\.userID)
            }
            #expect(try await users([ActivityFilter(.userID, .contains("OLD@"))]) == ["Old@Contoso.com"])
            #expect(try await users([ActivityFilter(.userID, .contains("%"))]).isEmpty, "LIKE wildcards are literal")
            #expect(try await users([ActivityFilter(.methods, .oneOf(["mobileSMS"]))]) == ["user4@contoso.com", "user2@contoso.com", "user0@contoso.com"])
            #expect(try await users([ActivityFilter(.resetDetail, .oneOf([ResetDetail.blockedInvalidCodes(.mobileSMS).code]))]) == ["user4@contoso.com"])
            #expect(try await users([ActivityFilter(.resetDetail, .oneOf([]))]).isEmpty)
            // PostgreSQL refuses a NUL in a query's value: such a filter matches nothing, on every store, and fails nowhere.
            #expect(try await users([ActivityFilter(.userID, .contains("old\u{0}"))]).isEmpty)
            #expect(try await store.users(UserQuery(search: UserSearch.normalize("old\u{0}"), limit: 5)).users.isEmpty)
            #expect(try await store.user(userID: "old\u{0}@contoso.com") == nil)
            #expect(try await store.users(userIDs: ["old\u{0}@contoso.com"]).isEmpty)
            #expect(try await users([ActivityFilter(.time, .contains(t0.addingTimeInterval(3_600).formatted(.iso8601).prefix(13).description))]) == ["late@contoso.com"])
            let filtered = ActivityQuery(filters: [ActivityFilter(.methods, .oneOf(["email"])), ActivityFilter(.resetDetail, .oneOf([ResetDetail.succeeded.code]))])
            #expect(try await store.activityCount(.resets, filtered, upTo: 10) == 3)
            #expect(try await store.activityCount(.resets, filtered, upTo: 2) == 2, "counted no further than asked")
            #expect(try await store.activityCount(.resets, ActivityQuery(since: t0, until: t0.addingTimeInterval(1)), upTo: 10) == 5)

            let days = try await store.resetCountsPerDay(since: t0.addingTimeInterval(-2 * 86_400), until: t0.addingTimeInterval(86_400))
            let midnight = Date(timeIntervalSince1970: (t0.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
            #expect(Set(days) == [
                ResetDayCount(day: midnight, detail: ResetDetail.succeeded.code, count: 5),
                ResetDayCount(day: midnight, detail: ResetDetail.blockedInvalidCodes(.mobileSMS).code, count: 1),
                ResetDayCount(day: midnight.addingTimeInterval(-86_400), detail: ResetDetail.abandonedAfterUserID.code, count: 1),
            ])
        }
    }

    /// Whole days come from the counts the database keeps, part-days from the rows (docs/scale.md#the-resets-chart):
    /// both give the same figures, before and after a prune.
    @Test(arguments: StoreAdapter.allCases)
    func theResetsChartCountsWholeDaysAndPartDaysAlike(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let day = Date(timeIntervalSince1970: (t0.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
            func at(_ days: Double, _ hours: Double) -> Date { day.addingTimeInterval(days * 86_400 + hours * 3_600) }
            let (succeeded, abandoned, blocked) = (ResetDetail.succeeded, ResetDetail.abandonedAfterUserID, ResetDetail.blockedInvalidCodes(.mobileSMS))
            var batch = UserBatch()
            batch.resets = [(at(-2, 1), abandoned), (at(-1, 2), succeeded), (at(-1, 2), succeeded), (at(0, 3), succeeded)].map {
                ResetActivity(at: $0.0, userID: "user@contoso.com", role: "user", methodsUsed: [.email], detail: $0.1)
            }
            try await store.apply(batch)
            try await store.appendResetActivity(ResetActivity(at: at(0, 23), userID: "user@contoso.com", role: "user", methodsUsed: [.email], detail: blocked))
            func counts(_ since: Date, _ until: Date) async throws -> Set<ResetDayCount> {
                Set(try await store.resetCountsPerDay(since: since, until: until))
            }

            // A part-day, a whole day and a part-day.
            #expect(try await counts(at(-2, 0.5), at(0, 12)) == [
                ResetDayCount(day: at(-2, 0), detail: abandoned.code, count: 1),
                ResetDayCount(day: at(-1, 0), detail: succeeded.code, count: 2),
                ResetDayCount(day: at(0, 0), detail: succeeded.code, count: 1),
            ])
            #expect(try await counts(at(-2, 2), at(-2, 3)).isEmpty, "within one day, no whole day")
            let wholeDays = try await counts(at(-2, 0), at(1, 0))
            #expect(wholeDays.count == 4)
            #expect(wholeDays.contains(ResetDayCount(day: at(0, 0), detail: blocked.code, count: 1)))

            // The prune takes its rows away from the counts; a day left with none is not shown.
            #expect(try await store.deleteActivity(before: at(-1, 3)) == 3)
            #expect(try await counts(at(-2, 0), at(1, 0)) == [
                ResetDayCount(day: at(0, 0), detail: succeeded.code, count: 1),
                ResetDayCount(day: at(0, 0), detail: blocked.code, count: 1),
            ])
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func theAuditLogAndRegistrationsFilterOnTheirOwnColumns(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            try await store.appendAudit(AuditEvent(at: t0, activity: .userCreated, actor: "admin@contoso.com", target: "bob@contoso.com", detail: "imported"))
            try await store.appendAudit(AuditEvent(at: t0, activity: .adminUnlock, actor: "cli", target: "eve@contoso.com", status: .failure, failureReason: "DirectoryDown"))
            try await store.appendRegistrationActivity(RegistrationActivity(at: t0, userID: "bob@contoso.com", role: "user", dataRegistered: .passkey))
            try await store.appendRegistrationActivity(RegistrationActivity(at: t0, userID: "eve@contoso.com", role: "user", dataRegistered: .email))
            #expect(try await store.auditEvents(ActivityQuery(filters: [ActivityFilter(.status, .oneOf(["Failure"]))])).map(\.target) == ["eve@contoso.com"])
            #expect(try await store.auditEvents(ActivityQuery(filters: [ActivityFilter(.failureReason, .contains("down"))])).map(\.target) == ["eve@contoso.com"])
            #expect(try await store.auditEvents(ActivityQuery(filters: [ActivityFilter(.auditDetail, .contains("IMPORT"))])).map(\.target) == ["bob@contoso.com"])
            #expect(try await store.activityCount(.audit, ActivityQuery(filters: [ActivityFilter(.actor, .contains("admin"))]), upTo: 10) == 1)
            #expect(try await store.registrationActivities(ActivityQuery(filters: [ActivityFilter(.dataRegistered, .oneOf(["passkey"]))])).map(\.userID) == ["bob@contoso.com"])
        }
    }
}

extension User {
    /// As the stores keep it.
    var withLowercasedUserID: User {
        var user = self
        user.userID = userID.lowercased()
        return user
    }
}

/// A directory that only lists entries: what the batching of a sync needs. The LDAP search itself is tested against
/// slapd (SesameDirectoryTests).
private struct ListedDirectory: Directory {
    let listed: [DirectoryEntry]

    func entries() async throws -> [DirectoryEntry] { listed }
    func authenticate(userID: String, password: String) async throws -> Bool { throw WritebackError.userNotFound }
    func changePassword(userID: String, current: String, new: String) async throws { throw WritebackError.userNotFound }
    func resetPassword(userID: String, new: String, mustChange: Bool) async throws { throw WritebackError.userNotFound }
    func unlock(userID: String) async throws { throw WritebackError.userNotFound }
    func isLocked(userID: String) async throws -> Bool { throw WritebackError.userNotFound }
    func accountState(userID: String) async throws -> DirectoryAccountState { throw WritebackError.userNotFound }
    func status() async -> DirectoryStatus { .configured }
}
