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
        try await eventually { fileAlone(path, holds: [user.userID]) }
        try store.close()
    }

    /// The delivery workers claim every second, on an idle server too: a write that changes nothing wakes nothing.
    @Test func aWriteThatChangesNothingLeavesTheWALAlone() async throws {
        let path = try TemporaryFolder.make().appendingPathComponent("sesame.sqlite").path
        let store = try SQLiteStore(path: path)
        #expect(try await store.deleteSessions(expiredBefore: t0) == 0)
        try await Task.sleep(for: WALCheckpointer.gathering * 10)
        // The migrations' tables are still in the WAL alone.
        #expect(try userIDs(inFileAlone: path) == nil)
        let user = try sampleUser()
        try await store.insertUser(user)
        try await eventually { fileAlone(path, holds: [user.userID]) }
        try store.close()
    }

    @Test func whileBatchesHoldTheTurnTheWALIsTheirs() async throws {
        let path = try TemporaryFolder.make().appendingPathComponent("sesame.sqlite").path
        let store = try SQLiteStore(path: path)
        // The checkpointer runs: a write reaches the file.
        let before = try sampleUser("before@contoso.com")
        try await store.insertUser(before)
        try await eventually { fileAlone(path, holds: [before.userID]) }
        await store.batchTurn.take()
        let during = try sampleUser("during@contoso.com")
        try await store.insertUser(during)
        try await Task.sleep(for: WALCheckpointer.gathering * 10)
        #expect(try userIDs(inFileAlone: path)?.contains(during.userID) == false)
        await store.batchTurn.pass()
        let after = try sampleUser("after@contoso.com")
        try await store.insertUser(after)
        try await eventually { fileAlone(path, holds: [during.userID, after.userID]) }
        try store.close()
    }

    /// A store closed or let go while its checkpointer may be copying: the close waits for the copy, and the file
    /// is left whole, with no WAL beside it.
    @Test(arguments: [true, false]) func aStoreClosedOrLetGoWhileCheckpointingLeavesTheFileWhole(closed: Bool) async throws {
        let folder = try TemporaryFolder.make()
        for round in 0..<10 {
            let path = folder.appendingPathComponent("sesame\(round).sqlite").path
            do {
                let store = try SQLiteStore(path: path)
                for index in 0..<20 { try await store.insertUser(try sampleUser("user\(index)@contoso.com")) }
                // Around the moment the checkpointer wakes, earlier or later from one round to the next.
                try await Task.sleep(for: WALCheckpointer.gathering * (Double(round) / 5))
                if closed { try store.close() }
            }
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
            #expect(try userIDs(inFileAlone: path)?.count == 20)
        }
    }

    /// Whether the database file alone holds `userIDs`. A copy taken while a checkpoint writes the file may be torn,
    /// and fail to open or read: that is "not yet".
    private func fileAlone(_ path: String, holds expected: Set<String>) -> Bool {
        (try? userIDs(inFileAlone: path))?.isSuperset(of: expected) == true
    }

    /// The users in a copy of the database file made without its WAL: what checkpoints have copied there.
    private func userIDs(inFileAlone path: String) throws -> Set<String>? {
        let copy = try TemporaryFolder.make().appendingPathComponent("copy.sqlite")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: path), to: copy)
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        let database = try DatabaseQueue(path: copy.path)
        defer { try? database.close() }
        return try database.read { db in
            // Before the first checkpoint the file holds no table at all.
            guard try db.tableExists("users") else { return nil }
            return Set(try String.fetchAll(db, sql: "SELECT user_id FROM users"))
        }
    }
}
