import GRDB

/// Copies what the WAL holds into the database on a connection of its own, a moment after writes, so that no request
/// waits for it (docs/architecture.md#checkpoints). Left to SQLite, the checkpoint runs inside the commit that takes
/// the WAL past 1,000 pages: that request, and every write queued behind it, waits for the copy and its two fsyncs.
final class WALCheckpointer: Sendable {
    private let connection: DatabaseQueue
    private let wrote: AsyncStream<Void>.Continuation
    private let loop: Task<Void, Never>

    /// How long the checkpointer lets writes gather after the first, so that a busy server copies a page once for
    /// many of its commits rather than at each.
    static let gathering = Duration.milliseconds(100)

    /// Checkpoints `path` after writes, except while `batches` holds the turn: their writer keeps the WAL on purpose
    /// and copies it when they end (docs/scale.md#batches).
    init(path: String, batches: BatchTurn) throws {
        var configuration = Configuration()
        configuration.label = "sesame-checkpoints"
        // Opening reads the schema, which another process closing the database may hold for a moment.
        configuration.busyMode = .timeout(5)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        let (writes, wrote) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.wrote = wrote
        loop = Task.detached { [connection] in
            for await _ in writes {
                try? await Task.sleep(for: Self.gathering)
                guard !Task.isCancelled else { return }
                guard await !batches.isTaken else { continue }
                // A passive checkpoint copies what no reader still needs and never waits; what it leaves, the next one
                // copies. One that fails (another checkpoint under way, in this process or another, or the disk) is
                // left to the next, and, if they all fail, to the writer's backstop.
                _ = try? await connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
            }
        }
    }

    /// A transaction committed: a checkpoint follows shortly.
    func noteWrite() {
        wrote.yield()
    }

    /// Stops checkpointing and closes the connection. The loop is cancelled first: GRDB then runs none of its
    /// checkpoints on the closed connection, and interrupts one under way, which the close waits for.
    func close() throws {
        wrote.finish()
        loop.cancel()
        try connection.close()
    }
}
