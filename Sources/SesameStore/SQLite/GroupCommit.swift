import GRDB
import SesameCore
import Synchronization

/// Commits the writes that queue while the writer is busy together, in one transaction, each in a savepoint of its
/// own (docs/architecture.md#group-commit). A write that throws is rolled back alone, unless its error ended the
/// whole transaction; every write learns its outcome only once the transaction has committed, or failed, so none is
/// told it was saved when it was not.
final class GroupCommit: Sendable {
    /// The most writes a transaction takes: the first of them is answered only after the last.
    static let largestGroup = 32

    private let pool: DatabasePool
    private let afterChanges: @Sendable () -> Void
    private let queue = Mutex(Queue())

    private struct Queue {
        var writes: [any QueuedWrite] = []
        /// Whether a turn on the writer is already asked for: it takes the writes queued by the time it runs.
        var asked = false
    }

    /// Writes to `pool`; `afterChanges` is called after each transaction that changed a row.
    init(pool: DatabasePool, afterChanges: @escaping @Sendable () -> Void) {
        self.pool = pool
        self.afterChanges = afterChanges
    }

    /// How many writes wait for a turn (what the tests wait for before they let the writer go).
    var waiting: Int { queue.withLock { $0.writes.count } }

    /// Runs `body` in the next transaction; `alone` gives it a transaction of its own, without a savepoint (a batch
    /// of thousands of rows: in a savepoint, SQLite would copy each page it changes into a journal first).
    func write<T: Sendable>(alone: Bool = false, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ask = queue.withLock { queue in
                queue.writes.append(PendingWrite(alone: alone, body: body, continuation: continuation))
                defer { queue.asked = true }
                return !queue.asked
            }
            if ask { askForTurn() }
        }
    }

    /// One transaction a turn, then the writer's queue again: what else waits there (the end of a directory sync's
    /// batches) runs between two turns rather than after every queued write.
    private func askForTurn() {
        pool.asyncWriteWithoutTransaction { [self] db in
            commit(queue.withLock { queue in
                let count = queue.writes.first?.alone == true
                    ? 1 : queue.writes.prefix(Self.largestGroup).prefix { !$0.alone }.count
                defer { queue.writes.removeFirst(count) }
                return Array(queue.writes.prefix(count))
            }, in: db)
            let more = queue.withLock { queue in
                queue.asked = !queue.writes.isEmpty
                return queue.asked
            }
            if more { askForTurn() }
        }
    }

    private func commit(_ writes: [any QueuedWrite], in db: Database) {
        var changed = false
        do {
            // Counted once the transaction has begun: on a closed store, beginning it is what fails, as a statement
            // does, where reading the count would dereference the closed connection.
            try db.inTransaction(.immediate) {
                let before = db.totalChangesCount
                if writes.count == 1, let only = writes.first {
                    // Alone, as every write was before: what it throws rolls the transaction back.
                    try only.runAlone(in: db)
                } else {
                    for write in writes { try write.runInSavepoint(in: db) }
                }
                changed = db.totalChangesCount != before
                return .commit
            }
        } catch {
            // Nothing was saved: SQLite, or the commit, rolled back every write of the transaction.
            for write in writes { write.finish(failure: error) }
            return
        }
        if changed { afterChanges() }
        for write in writes { write.finish(failure: nil) }
    }
}

/// A write waiting for its transaction: run on the writer's queue, then told how the transaction ended.
private protocol QueuedWrite: Sendable {
    /// Whether it takes a transaction of its own.
    var alone: Bool { get }
    /// Runs the write, keeping its outcome, and throws what it throws.
    func runAlone(in db: Database) throws
    /// Runs the write in a savepoint: what it throws rolls back its own statements and is its outcome. Throws only
    /// what the transaction cannot go on after: an error that ended it, or a savepoint not rolled back or released.
    func runInSavepoint(in db: Database) throws
    /// The transaction committed (`nil`), or failed as a whole.
    func finish(failure: (any Error)?)
}

/// `@unchecked`: its outcome is set and read on the writer's queue only, by one turn, in that order.
private final class PendingWrite<T: Sendable>: QueuedWrite, @unchecked Sendable {
    let alone: Bool
    private let body: @Sendable (Database) throws -> T
    private let continuation: CheckedContinuation<T, any Error>
    private var outcome: Result<T, any Error> = .failure(StoreError.unavailable("the write did not run"))

    init(alone: Bool, body: @escaping @Sendable (Database) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        self.alone = alone
        self.body = body
        self.continuation = continuation
    }

    func runAlone(in db: Database) throws {
        outcome = Result { try body(db) }
        _ = try outcome.get()
    }

    /// The savepoint is the store's own rather than GRDB's `inSavepoint`, which, when a rollback to it fails, throws
    /// the write's error and leaves the write's statements to the commit.
    func runInSavepoint(in db: Database) throws {
        try db.execute(sql: "SAVEPOINT sesame_write")
        do {
            outcome = .success(try body(db))
        } catch {
            outcome = .failure(error)
            // Its error (the disk, an interrupt) ended the whole transaction: none of it is saved.
            guard db.isInsideTransaction else { throw error }
            try db.execute(sql: "ROLLBACK TO sesame_write")
        }
        try db.execute(sql: "RELEASE sesame_write")
    }

    func finish(failure: (any Error)?) {
        if let failure {
            continuation.resume(throwing: failure)
        } else {
            continuation.resume(with: outcome)
        }
    }
}
