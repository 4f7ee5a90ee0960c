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
        private let commits = Commits()
        let writes: GroupCommit
        private let held = DispatchSemaphore(value: 0)

        init() throws {
            var configuration = Configuration()
            configuration.foreignKeysEnabled = true
            let path = try TemporaryFolder.make().appendingPathComponent("group.sqlite").path
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.write { db in
                try db.execute(sql: """
                    CREATE TABLE row (id INTEGER PRIMARY KEY);
                    CREATE TABLE parent (id INTEGER PRIMARY KEY);
                    CREATE TABLE child (id INTEGER PRIMARY KEY,
                                        parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
                    """)
            }
            writes = GroupCommit(pool: pool) { [commits] in commits.count.withLock { $0 += 1 } }
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

        func insert(_ id: Int, into table: String = "row") -> Task<Void, any Error> {
            Task { try await writes.write { try $0.execute(sql: "INSERT INTO \(table) (id) VALUES (?)", arguments: [id]) } }
        }

        func ids(_ table: String) throws -> [Int] {
            try pool.read { try Int.fetchAll($0, sql: "SELECT id FROM \(table) ORDER BY id") }
        }

        var committed: Int { commits.count.withLock { $0 } }
    }

    private final class Commits: Sendable {
        let count = Mutex(0)
    }

    private struct Refused: Error {}

    @Test func writesThatQueueTogetherAreCommittedInOneTransaction() async throws {
        let fixture = try Fixture()
        fixture.holdTheWriter()
        let writes = (1...50).map { id in
            Task { try await fixture.writes.write { db in
                try db.execute(sql: "INSERT INTO row (id) VALUES (?)", arguments: [id])
                return id
            } }
        }
        try await fixture.letTheWriterGo(once: 50)
        var results: [Int] = []
        for write in writes { results.append(try await write.value) }
        #expect(results == Array(1...50))
        #expect(try fixture.ids("row") == Array(1...50))
        #expect(fixture.committed == 1)
    }

    @Test func aWriteThatThrowsIsRolledBackAloneAndTheOthersAreSaved() async throws {
        let fixture = try Fixture()
        try await fixture.insert(1).value
        fixture.holdTheWriter()
        let saved = fixture.insert(2)
        let refused = Task {
            try await fixture.writes.write { db in
                try db.execute(sql: "INSERT INTO row (id) VALUES (3)")
                throw Refused()
            }
        }
        // Row 1 is there already: a constraint fails within the transaction.
        let conflicting = fixture.insert(1)
        let alsoSaved = fixture.insert(4)
        try await fixture.letTheWriterGo(once: 4)
        try await saved.value
        await #expect(throws: Refused.self) { try await refused.value }
        await #expect(throws: DatabaseError.self) { try await conflicting.value }
        try await alsoSaved.value
        #expect(try fixture.ids("row") == [1, 2, 4])
        #expect(fixture.committed == 2)
    }

    /// A constraint checked only at commit fails the whole transaction: no write of it is told it was saved.
    @Test func aTransactionThatFailsToCommitFailsEveryWriteInIt() async throws {
        let fixture = try Fixture()
        fixture.holdTheWriter()
        let innocent = fixture.insert(1)
        let orphan = Task {
            try await fixture.writes.write { try $0.execute(sql: "INSERT INTO child (id, parent) VALUES (1, 7)") }
        }
        try await fixture.letTheWriterGo(once: 2)
        await #expect(throws: DatabaseError.self) { try await innocent.value }
        await #expect(throws: DatabaseError.self) { try await orphan.value }
        #expect(try fixture.ids("row").isEmpty)
        #expect(try fixture.ids("child").isEmpty)
        #expect(fixture.committed == 0)
        // The writer is left in order: the next write is saved.
        try await fixture.insert(2).value
        #expect(try fixture.ids("row") == [2])
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

    /// A store closed with writes on their way: they fail as any statement would, and nothing crashes.
    @Test func aWriteToAClosedDatabaseFails() async throws {
        let fixture = try Fixture()
        try fixture.pool.close()
        await #expect(throws: DatabaseError.self) { try await fixture.insert(1).value }
        #expect(fixture.committed == 0)
    }
}
