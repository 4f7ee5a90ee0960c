import Synchronization
import Testing

@testable import SesameStore

@Suite("A deadline on a database call")
struct DeadlineTests {
    @Test("The value arrives when the call finishes in time")
    func inTime() async throws {
        let value = try await withDeadline(.seconds(5)) { 42 }
        #expect(value == 42)
    }

    @Test("The call's error reaches the caller")
    func failure() async {
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await withDeadline(.seconds(5)) { () async throws -> Int in throw Refused() } }
    }

    // No stopwatch: on a loaded machine 100 ms can take seconds. The call finishes only once the caller is back (or,
    // should the caller be held, after 30 s, so that the test fails on its value rather than hangs).
    @Test("A call that ignores its cancellation no longer holds the caller past the deadline")
    func stubbornCall() async throws {
        let gate = Gate()
        let safetyValve = Task {
            try await Task.sleep(for: .seconds(30))
            gate.open()
        }
        defer { safetyValve.cancel() }
        let value = try await withDeadline(.milliseconds(100)) { () async -> Int in
            await gate.pass()
            return 1
        }
        #expect(value == nil)
        #expect(gate.isHolding)
        gate.open()
    }
}

/// Holds whoever passes until it is opened, deaf to cancellation, as a pool waiting for a connection to a server that
/// went away would be.
private final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    var isHolding: Bool { state.withLock { $0.waiter != nil } }

    func pass() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state in
                if !state.open { state.waiter = continuation }
                return state.open
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiter = state.withLock { state in
            state.open = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
