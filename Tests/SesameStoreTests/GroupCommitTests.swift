import Foundation
import GRDB
import SesameCore
import SesameTestSupport
import Synchronization
import Testing

@testable import SesameStore

/// Writes that queue while the writer is busy share one transaction, each in a savepoint of its own
/// (docs/architecture.md#group-commit).
@Suite struct GroupCommitTests {
    /// A pool with a table of rows and a table whose rows need a parent, checked only at commit; the writes'
    /// transactions that changed something are counted.
    private final class Fixture: Sendable {
        let pool: DatabasePool
        private let commits = Counter()
        private let savepoints = Counter()
        let writes: GroupCommit
        private let held = DispatchSemaphore(value: 0)

        init() throws {
            var configuration = Configuration()
            configuration.foreignKeysEnabled = true
            let path = try TemporaryFolder.make().appendingPathComponent("group.sqlite").path
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.write { db in
                try db.execute(sql: """
                    CREATE TABLE row (seq INTEGER PRIMARY KEY AUTOINCREMENT, id INTEGER NOT NULL UNIQUE);
                    CREATE TABLE parent (id INTEGER PRIMARY KEY);
                    CREATE TABLE child (id INTEGER PRIMARY KEY,
                                        parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
                    """)
            }
            writes = GroupCommit(pool: pool) { [commits] in commits.count.withLock { $0 += 1 } }
            pool.writeWithoutTransaction { [savepoints] db in
                db.trace { event in
                    if event.description.hasPrefix("SAVEPOINT") { savepoints.count.withLock { $0 += 1 } }
                }
            }
        }

        /// Keeps the writer busy: the writes asked for after this wait together.
        func holdTheWriter() {
            pool.asyncWriteWithoutTransaction { [held] _ in held.wait() }
        }

        /// Lets the writer go once `count` writes wait for it: they share the next turn.
        func letTheWriterGo(once count: Int) async throws {
            try await eventually { writes.waiting == count }
            held.signal()
        }

        func insert(_ id: Int, alone: Bool = false) -> Task<Void, any Error> {
            Task { try await writes.write(alone: alone) { try $0.execute(sql: "INSERT INTO row (id) VALUES (?)", arguments: [id]) } }
        }

        /// Starts a write and waits until it is queued: writes started so queue, and are run, in that order.
        func inTurn<T>(_ start: () -> Task<T, any Error>) async throws -> Task<T, any Error> {
            let before = writes.waiting
            let task = start()
            try await eventually { writes.waiting == before + 1 }
            return task
        }

        /// The rows' IDs in the order they were inserted.
        func rows() throws -> [Int] {
            try pool.read { try Int.fetchAll($0, sql: "SELECT id FROM row ORDER BY seq") }
        }

        func children() throws -> Int {
            try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM child") ?? 0 }
        }

        var committed: Int { commits.count.withLock { $0 } }
        var savepointsTaken: Int { savepoints.count.withLock { $0 } }

        /// No row and no transaction saved, and the writer left in order: the next write is saved.
        func expectNothingSavedThenTheNextWrite() async throws {
            #expect(try rows().isEmpty)
            #expect(committed == 0)
            try await insert(100).value
            #expect(try rows() == [100])
        }
    }

    private final class Counter: Sendable {
        let count = Mutex(0)
    }

    private struct Refused: Error {}

    @Test func writesThatQueueTogetherAreCommittedInOneTransaction() async throws {
        let fixture = try Fixture()
        fixture.holdTheWriter()
        let writes = (1...GroupCommit.largestGroup).map { id in
            Task { try await fixture.writes.write { db in
                try db.execute(sql: "INSERT INTO row (id) VALUES (?)", arguments: [id])
                return id
            } }
        }
        try await fixture.letTheWriterGo(once: GroupCommit.largestGroup)
        var results: [Int] = []
        for write in writes { results.append(try await write.value) }
        #expect(results == Array(1...GroupCommit.largestGroup))
        #expect(try fixture.rows().sorted() == Array(1...GroupCommit.largestGroup))
        #expect(fixture.committed == 1)
    }

    /// A write alone takes no savepoint; four together take one each, and the two that fail are rolled back alone.
    @Test func aWriteThatThrowsIsRolledBackAloneAndTheOthersAreSaved() async throws {
        let fixture = try Fixture()
        try await fixture.insert(1).value
        fixture.holdTheWriter()
        let saved = try await fixture.inTurn { fixture.insert(2) }
        let refused = try await fixture.inTurn {
            Task {
                try await fixture.writes.write { db in
                    try db.execute(sql: "INSERT INTO row (id) VALUES (3)")
                    throw Refused()
                }
            }
        }
        // Row 1 is there already: its unique key fails within the transaction.
        let conflicting = try await fixture.inTurn { fixture.insert(1) }
        let alsoSaved = try await fixture.inTurn { fixture.insert(4) }
        try await fixture.letTheWriterGo(once: 4)
        try await saved.value
        await #expect(throws: Refused.self) { try await refused.value }
        // The statement's own error, which SQLiteStore.write maps to a conflict.
        let constraint = await #expect(throws: DatabaseError.self) { try await conflicting.value }
        #expect(constraint?.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE)
        try await alsoSaved.value
        #expect(try fixture.rows() == [1, 2, 4])
        #expect(fixture.committed == 2)
        #expect(fixture.savepointsTaken == 4)
    }

    /// A batch of the directory's takes a transaction of its own, without a savepoint, in its turn; a transaction
    /// takes at most `GroupCommit.largestGroup` writes.
    @Test func aWriteAloneAndTheLargestGroupBoundTheirTransactions() async throws {
        let fixture = try Fixture()
        fixture.holdTheWriter()
        let count = GroupCommit.largestGroup + 8
        let grouped = (1...count).map { fixture.insert($0) }
        try await eventually { fixture.writes.waiting == count }
        let alone = try await fixture.inTurn { fixture.insert(100, alone: true) }
        let last = try await fixture.inTurn { fixture.insert(101) }
        try await fixture.letTheWriterGo(once: count + 2)
        for write in grouped + [alone, last] { try await write.value }
        let rows = try fixture.rows()
        #expect(rows.prefix(count).sorted() == Array(1...count))
        #expect(rows.suffix(2) == [100, 101])
        // The largest group, the rest, the write alone, the last (alone in its turn too).
        #expect(fixture.committed == 4)
        #expect(fixture.savepointsTaken == count)
    }

    /// How a transaction of several writes can end with none of them saved.
    enum Ending: CaseIterable, Sendable {
        /// A write's error ends it (here the write rolls it back itself; the disk or an interrupt would).
        case byAWrite
        /// A constraint checked only at commit fails it.
        case atCommit

        /// The write in the middle of the turn.
        func write(_ db: Database) throws {
            switch self {
            case .byAWrite:
                try db.execute(sql: "INSERT INTO row (id) VALUES (2)")
                try db.execute(sql: "ROLLBACK")
                throw Refused()
            case .atCommit:
                try db.execute(sql: "INSERT INTO child (id, parent) VALUES (1, 7)")
            }
        }
    }

    /// The write before, whose savepoint was released, is not saved; the write after is not run on its own; each
    /// fails with what ended the transaction (the write's own error rather than SQLite's "transaction was aborted",
    /// or the commit's), so none is told it was saved.
    @Test(arguments: Ending.allCases) func aTransactionThatEndsFailsEveryWriteInIt(_ ending: Ending) async throws {
        let fixture = try Fixture()
        fixture.holdTheWriter()
        let writes = [
            try await fixture.inTurn { fixture.insert(1) },
            try await fixture.inTurn { Task { try await fixture.writes.write { try ending.write($0) } } },
            try await fixture.inTurn { fixture.insert(3) },
        ]
        try await fixture.letTheWriterGo(once: 3)
        for write in writes {
            switch ending {
            case .byAWrite: await #expect(throws: Refused.self) { try await write.value }
            case .atCommit: await #expect(throws: DatabaseError.self) { try await write.value }
            }
        }
        #expect(try fixture.children() == 0)
        try await fixture.expectNothingSavedThenTheNextWrite()
    }

    /// A write that changes nothing (the delivery workers' claim, every second) wakes no checkpoint.
    @Test func aWriteThatChangesNothingIsNotCounted() async throws {
        let fixture = try Fixture()
        let deleted = try await fixture.writes.write { db in
            try db.execute(sql: "DELETE FROM row")
            return db.changesCount
        }
        #expect(deleted == 0)
        #expect(fixture.committed == 0)
    }

    /// A store closed before its writes run: they fail as any statement would, and nothing crashes.
    @Test func aWriteToAClosedDatabaseFails() async throws {
        let fixture = try Fixture()
        try fixture.pool.close()
        await #expect(throws: DatabaseError.self) { try await fixture.insert(1).value }
        #expect(fixture.committed == 0)
    }
}
