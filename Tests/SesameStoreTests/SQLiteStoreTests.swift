import Foundation
import GRDB
import SesameCore
import SesameStore
import SesameTestSupport
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
        } catch let error as StoreError {
            guard case .unavailable = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func anUnopenablePathIsAClearError() throws {
        #expect(throws: StoreError.self) { try SQLiteStore(path: "/proc/no/such/folder/sesame.sqlite") }
    }
}
