import Foundation
import GRDB
import SesameCore
import SesameTestSupport
import Synchronization
import Testing

@testable import SesameStore

/// SQLite writes one batch at a time: the next one waits with its rows made (docs/scale.md#batches).
@Suite struct BatchTurnTests {
    @Test func aSecondBatchWaitsUntilTheFirstPassesTheTurn() async throws {
        let turn = BatchTurn()
        await turn.take()
        let order = Mutex<[String]>([])
        let second = Task {
            await turn.take()
            order.withLock { $0.append("second writes") }
            await turn.pass()
        }
        while await !turn.isAwaited { await Task.yield() }
        order.withLock { $0.append("first writes") }
        await turn.pass()
        await second.value
        #expect(order.withLock { $0 } == ["first writes", "second writes"])
        #expect(await !turn.isAwaited)
        // Free again: the next batch takes the turn at once.
        await turn.take()
        await turn.pass()
    }

    /// A batch that fails still passes the turn, and the writer's cache and checkpoint interval are given back once no
    /// batch waits.
    @Test func aFailedBatchPassesTheTurnAndTheCacheIsGivenBack() async throws {
        let store = try SQLiteStore.temporary()
        try await store.insertUser(User(userID: "taken@contoso.com", createdAt: t0))
        var failing = UserBatch()
        failing.inserts = [User(userID: "TAKEN@contoso.com", createdAt: t0)]
        var fine = UserBatch()
        fine.inserts = (0..<50).map { User(userID: "user\($0)@contoso.com", createdAt: t0) }
        let first = Task { try await store.apply(failing) }
        let second = Task { try await store.apply(fine) }
        await #expect(throws: StoreError.duplicateUserID("TAKEN@contoso.com")) { try await first.value }
        try await second.value
        #expect(try await store.userCount() == 51)
        #expect(await !store.batchTurn.isAwaited)
        let writers = try await store.pool.writeWithoutTransaction { db in
            try ["cache_size", "wal_autocheckpoint", "journal_size_limit"].map { try Int.fetchOne(db, sql: "PRAGMA \($0)") }
        }
        #expect(writers == [-2_000, 20_000, 16 << 20])
    }
}
