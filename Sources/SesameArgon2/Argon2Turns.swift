import Synchronization

/// At most `count` Argon2id hashes at once; the others wait their turn, first come first served, without holding a
/// thread (docs/security.md#argon2id-memory). More at once would only share the processors, each holding its memory.
final class Argon2Turns: Sendable {
    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    let count: Int
    private let state = Mutex(State())

    init(count: Int) {
        self.count = max(1, count)
    }

    /// Hashes waiting for their turn.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    func take() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state in
                guard state.running < count else {
                    state.waiting.append(continuation)
                    return false
                }
                state.running += 1
                return true
            }
            if now { continuation.resume() }
        }
    }

    /// Passes the turn to the hash that has waited longest, if any.
    func giveBack() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            assert(state.running > 0, "a turn given back that was not taken")
            guard !state.waiting.isEmpty else {
                state.running = max(0, state.running - 1)
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
