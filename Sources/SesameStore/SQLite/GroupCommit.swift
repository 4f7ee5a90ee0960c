import GRDB
import SesameCore
import Synchronization

/// Commits the writes that queue while the writer is busy together, in one transaction, each in a savepoint of its
/// own (docs/architecture.md#group-commit). A write that throws is rolled back alone; the others are committed. Every
/// write learns its outcome only once the transaction has committed, or failed, so none is told it was saved when it
/// was not.
final class GroupCommit: Sendable {
    private let pool: DatabasePool
    private let afterChanges: @Sendable () -> Void
    private let queue = Mutex(Queue())

    private struct Queue {
        var writes: [any QueuedWrite] = []
        /// Whether a turn on the writer is already asked for: it takes every write queued by the time it runs.
        var asked = false
    }

    /// Writes to `pool`; `afterChanges` is called after each transaction that changed a row.
    init(pool: DatabasePool, afterChanges: @escaping @Sendable () -> Void) {
        self.pool = pool
        self.afterChanges = afterChanges
    }

    /// How many writes wait for a turn (what the tests wait for before they let the writer go).
    var waiting: Int { queue.withLock { $0.writes.count } }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ask = queue.withLock { queue in
                queue.writes.append(PendingWrite(body: body, continuation: continuation))
                defer { queue.asked = true }
                return !queue.asked
            }
            if ask { askForTurn() }
        }
    }

    /// One transaction a turn, then the writer's queue again: a directory sync's batch or the CLI's writes, queued
    /// on the same writer, take their turn between two of these rather than after every request's.
    private func askForTurn() {
        pool.asyncWriteWithoutTransaction { [self] db in
            commit(queue.withLock { queue in
                defer { queue.writes = [] }
                return queue.writes
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
                for write in writes { write.run(in: db) }
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
    /// Runs the write in a savepoint: if it throws, it is rolled back alone.
    func run(in db: Database)
    /// The transaction committed (`nil`), or failed as a whole.
    func finish(failure: (any Error)?)
}

/// `@unchecked`: its outcome is set and read on the writer's queue only, by one turn, in that order.
private final class PendingWrite<T: Sendable>: QueuedWrite, @unchecked Sendable {
    private let body: @Sendable (Database) throws -> T
    private let continuation: CheckedContinuation<T, any Error>
    private var outcome: Result<T, any Error> = .failure(StoreError.unavailable("the write did not run"))

    init(body: @escaping @Sendable (Database) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        self.body = body
        self.continuation = continuation
    }

    func run(in db: Database) {
        var value: T?
        do {
            try db.inSavepoint {
                value = try body(db)
                return .commit
            }
            if let value { outcome = .success(value) }
        } catch {
            outcome = .failure(error)
        }
    }

    func finish(failure: (any Error)?) {
        if let failure {
            continuation.resume(throwing: failure)
        } else {
            continuation.resume(with: outcome)
        }
    }
}
