/// Lets at most `capacity` pieces of work run at once for one key, the others waiting their turn in arrival order.
///
/// A check and the write that follows it (a lockout, a block, a limit) are two steps: without turns, fifty
/// simultaneous guesses would all pass the check before any failure was written (docs/security.md#races). Turns
/// hold within one instance; across instances the store's own counting bounds what is left.
public actor KeyedTurns {
    private let capacity: Int
    private var running: [String: Int] = [:]
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Runs `body` once a turn for `key` is free.
    public nonisolated func withTurn<T>(_ key: String, _ body: () async throws -> T) async throws -> T {
        await acquire(key)
        do {
            let value = try await body()
            await release(key)
            return value
        } catch {
            await release(key)
            throw error
        }
    }

    private func acquire(_ key: String) async {
        let count = running[key] ?? 0
        if count < capacity {
            running[key] = count + 1
            return
        }
        await withCheckedContinuation { waiting[key, default: []].append($0) }
    }

    /// Hands the turn to the first in line, or frees it.
    private func release(_ key: String) {
        if var queue = waiting[key], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[key] = queue.isEmpty ? nil : queue
            next.resume()
            return
        }
        let count = (running[key] ?? 1) - 1
        running[key] = count > 0 ? count : nil
    }
}
