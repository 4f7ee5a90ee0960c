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
}
