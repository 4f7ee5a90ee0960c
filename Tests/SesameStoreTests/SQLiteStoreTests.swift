import Foundation
import GRDB
import SesameCore
import SesameStore
import SesameTestSupport
import Synchronization
import Testing

@testable import SesameStore

@Suite struct SQLiteStoreTests {
    @Test func aFileInWALModeWithForeignKeysThatSurvivesReopening() async throws {
        let path = try TemporaryFolder.make().appendingPathComponent("sesame.sqlite").path
        let user = try sampleUser()
        do {
            let store = try SQLiteStore(path: path)
            try await store.insertUser(user)
            let (mode, keys) = try await store.pool.read { db in
                (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Bool.fetchOne(db, sql: "PRAGMA foreign_keys"))
            }
            #expect(mode == "wal")
            #expect(keys == true)
            try store.close()
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.user(userID: user.userID) == user)
        #expect(try reopened.appliedMigrations() == ["001 initial schema", "002 sessions", "003 outbox", "004 branding", "005 session users", "006 token scopes", "007 sign-in lockouts", "008 lockout streak", "009 session versions", "010 authenticator app", "011 recovery codes", "012 report links", "013 access passes", "014 session details", "015 password change required", "016 passkeys", "017 scale", "018 reset days"])
    }

    @Test func aClosedDatabaseIsReportedUnavailable() async throws {
        let store = try SQLiteStore.temporary()
        try await store.ping()
        try store.close()
        await #expect(throws: StoreError.self) { try await store.ping() }
        do {
            _ = try await store.user(userID: "alice@contoso.com")
            Issue.record("a closed database answered a lookup")
        } catch let error as StoreError {
            guard case .unavailable = error else { Issue.record("\(error)"); return }
        }
    }

    /// Lookups run on the request's own thread (docs/architecture.md#threads): that is only safe because in WAL mode
    /// they never wait for a writer. Here another connection holds the write lock, as the CLI's may, while the store
    /// looks a user and a session up; a lookup that waited would fail with "database is locked" after 5 seconds.
    @Test func aLookupDoesNotWaitForAnotherConnectionThatHoldsTheWriteLock() async throws {
        let path = try TemporaryFolder.make().appendingPathComponent("sesame.sqlite").path
        let store = try SQLiteStore(path: path)
        let user = try sampleUser()
        try await store.insertUser(user)
        var holding = Configuration()
        holding.allowsUnsafeTransactions = true  // the transaction stays open across the two accesses below
        let other = try DatabaseQueue(path: path, configuration: holding)
        try await other.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let found = try await store.user(id: user.id)
        let session = try await store.session(key: "no such key", now: Date())
        try await other.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        #expect(found == user)
        #expect(session == nil)
    }

    /// An asynchronous read holds one of the pool's readers across its suspensions, and needs a thread of the task
    /// pool to give it back. With every reader so held, a lookup must still answer: a lookup that waited for one of
    /// them would block the task pool's threads, and the server with them, for ever (docs/architecture.md#threads).
    /// The lookup runs on a thread of its own here, so that a regression fails this test instead of hanging it.
    @Test func aLookupAnswersWhileAsynchronousReadsHoldEveryReader() async throws {
        let store = try SQLiteStore.temporary()
        let user = try sampleUser()
        try await store.insertUser(user)
        let readers = store.pool.configuration.maximumReaderCount
        let holding = Events(), answered = Events()
        let release = DispatchSemaphore(value: 0)
        let reads = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<readers {
                    group.addTask { try await store.read { _ in holding.add(); release.wait() } }
                }
                try await group.waitForAll()
            }
        }
        #expect(await holding.reach(readers))
        Thread {
            if (try? store.lookUp({ db in try String.fetchOne(db, sql: "SELECT user_id FROM users") })) == user.userID { answered.add() }
        }.start()
        let lookedUp = await answered.reach(1)
        for _ in 0..<readers { release.signal() }
        try await reads.value
        #expect(lookedUp, "the lookup waited for the readers the asynchronous reads held")
    }

    /// The last connection to close copies the WAL into the database and deletes it, so that the file alone holds
    /// every commit (a copy of it taken then misses none). The lookups' read-only connections cannot: they must not
    /// be the last, whether the store is closed or just let go, as every CLI command does.
    @Test(arguments: [true, false]) func aStoreLetGoOrClosedLeavesNoWAL(closed: Bool) async throws {
        let path = try TemporaryFolder.make().appendingPathComponent("sesame.sqlite").path
        do {
            let store = try SQLiteStore(path: path)
            try await store.insertUser(try sampleUser())
            #expect(try await store.user(userID: "alice@contoso.com") != nil)
            // A read on the pool's reader connections as well as a lookup: GRDB's close shuts the writer before them.
            #expect(try await store.userCount() == 1)
            #expect(FileManager.default.fileExists(atPath: path + "-wal"))
            if closed { try store.close() }
        }
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func anUnopenablePathIsAClearError() throws {
        #expect(throws: StoreError.self) { try SQLiteStore(path: "/proc/no/such/folder/sesame.sqlite") }
    }
}

/// A count that other threads raise, and a test can wait for without holding a thread.
private final class Events: Sendable {
    private let count = Mutex(0)

    func add() { count.withLock { $0 += 1 } }

    /// Whether the count reaches `target` within 5 seconds.
    func reach(_ target: Int) async -> Bool {
        for _ in 0..<100 {
            if count.withLock({ $0 }) >= target { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
