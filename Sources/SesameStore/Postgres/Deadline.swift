import Synchronization

/// Runs `operation` for at most `limit`: its value, or `nil` once the time is up.
///
/// Unlike a task group, which waits for every child before it returns, the caller is released at the deadline even
/// when `operation` ignores its cancellation (a pool waiting for a connection to a server that went away); the
/// abandoned operation is cancelled and finishes on its own.
func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T? {
    let outcome = FirstOutcome<T?>()
    let work = Task<Void, Never> {
        do { outcome.resolve(.success(try await operation())) } catch { outcome.resolve(.failure(error)) }
    }
    let timer = Task<Void, Never> {
        // A cancelled sleep means the work finished first: nothing to report.
        guard (try? await Task.sleep(for: limit)) != nil else { return }
        outcome.resolve(.success(nil))
    }
    defer {
        work.cancel()
        timer.cancel()
    }
    return try await withTaskCancellationHandler {
        try await outcome.value()
    } onCancel: {
        work.cancel()
    }
}

/// A result settled once, by whichever side gets there first; later ones are dropped.
private final class FirstOutcome<T: Sendable>: Sendable {
    private let state = Mutex<(result: Result<T, any Error>?, waiter: CheckedContinuation<T, any Error>?)>((nil, nil))

    func resolve(_ result: Result<T, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    func value() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<T, any Error>? in
                if state.result == nil { state.waiter = continuation }
                return state.result
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
