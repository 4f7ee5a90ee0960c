import Foundation

/// The one door every throttle counter goes through (docs/behaviour.md#throttles): the store keeps the counters, so
/// that every instance agrees, and each refusal is counted for the operator (`sesame_throttle_blocks_total`).
public struct Throttles: Sendable {
    private let store: any ThrottleStore
    private let clock: any WallClock
    private let metrics: SesameMetrics

    public init(store: any ThrottleStore, clock: any WallClock, metrics: SesameMetrics = .none) {
        self.store = store
        self.clock = clock
        self.metrics = metrics
    }

    /// Counts one event of `kind` for `subject` under the kind's rule.
    public func record(_ kind: ThrottleKind, _ subject: String) async throws -> ThrottleOutcome {
        let outcome = try await store.recordEvent(ThrottleKey(kind, subject), rule: kind.rule, now: clock.now)
        if !outcome.allowed { metrics.throttled(kind) }
        return outcome
    }

    /// Counts one event; whether it was allowed.
    public func allows(_ kind: ThrottleKind, _ subject: String) async throws -> Bool {
        try await record(kind, subject).allowed
    }
}
