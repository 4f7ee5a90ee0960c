import Synchronization

/// Opens once; whoever waits before then goes on when it opens (or when its task is cancelled), and whoever comes
/// later does not wait. The PostgreSQL store's queries wait on two of them (docs/architecture.md#postgresql-client).
final class StartSignal: Sendable {
    private struct State {
        var isOpen = false
        var next = 0
        var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    func open() {
        let waiting = state.withLock { state in
            state.isOpen = true
            defer { state.waiting = [:] }
            return state.waiting.values
        }
        for waiter in waiting { waiter.resume() }
    }

    var isOpen: Bool { state.withLock { $0.isOpen } }

    func wait() async {
        let id = state.withLock { state in
            defer { state.next &+= 1 }
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let goesOn = state.withLock { state in
                    if !state.isOpen, !Task.isCancelled { state.waiting[id] = waiter }
                    return state.isOpen || Task.isCancelled
                }
                if goesOn { waiter.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiting.removeValue(forKey: id) }?.resume()
        }
    }
}
