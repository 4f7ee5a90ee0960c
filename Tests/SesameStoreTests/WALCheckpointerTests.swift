import Foundation
import GRDB
import SesameCore
import SesameTestSupport
import Testing

@testable import SesameStore

/// The WAL is copied into the database on a connection of the store's own, shortly after writes, rather than inside
/// a request's commit (docs/architecture.md#checkpoints). Seen from outside: the database file alone, without its
/// WAL, holds what was written.
@Suite struct WALCheckpointerTests {
    @Test func aWriteReachesTheDatabaseFileWithNoFurtherWrite() async throws {
        let path = try TemporaryFolder.make().appendingPathComponent("sesame.sqlite").path
        let store = try SQLiteStore(path: path)
        let user = try sampleUser()
        try await store.insertUser(user)
        // A handful of WAL pages: SQLite alone would copy them at the 20,000th, or when the last connection closes.
        #expect(try await eventually { try userIDs(inFileAlone: path).contains(user.userID) })
        try store.close()
    }

    @Test func whileBatchesHoldTheTurnTheWALIsTheirs() async throws {
        let path = try TemporaryFolder.make().appendingPathComponent("sesame.sqlite").path
        let store = try SQLiteStore(path: path)
        // The checkpointer runs: a write reaches the file.
        let before = try sampleUser("before@contoso.com")
        try await store.insertUser(before)
        #expect(try await eventually { try userIDs(inFileAlone: path).contains(before.userID) })
        await store.batchTurn.take()
        let during = try sampleUser("during@contoso.com")
        try await store.insertUser(during)
        try await Task.sleep(for: WALCheckpointer.gathering * 10)
        #expect(try !userIDs(inFileAlone: path).contains(during.userID))
        await store.batchTurn.pass()
        let after = try sampleUser("after@contoso.com")
        try await store.insertUser(after)
        #expect(try await eventually { try userIDs(inFileAlone: path).isSuperset(of: [during.userID, after.userID]) })
        try store.close()
    }

    /// The users in a copy of the database file made without its WAL: what checkpoints have copied there.
    private func userIDs(inFileAlone path: String) throws -> Set<String> {
        let copy = try TemporaryFolder.make().appendingPathComponent("copy.sqlite")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: path), to: copy)
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        let database = try DatabaseQueue(path: copy.path)
        defer { try? database.close() }
        return try database.read { db in
            // Before the first checkpoint the file holds no table at all.
            guard try db.tableExists("users") else { return [] }
            return Set(try String.fetchAll(db, sql: "SELECT user_id FROM users"))
        }
    }

    /// Whether `condition` holds within 5 seconds. A copy taken while a checkpoint writes the file may be torn, and
    /// fail to open or read: that is "not yet".
    private func eventually(_ condition: () throws -> Bool) async throws -> Bool {
        for _ in 0..<50 {
            if (try? condition()) == true { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
