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

    /// Counts one event of each counter in order, up to the first refused; that counter's index, or `nil` when all
    /// allowed. The counters after a refusal are not counted, as if each had been asked in turn. A store that answers
    /// for more or fewer counters than asked, none refused, did not count what was asked: that throws rather than
    /// allows.
    public func firstRefused(_ counters: [ThrottleKey]) async throws -> Int? {
        let outcomes = try await store.recordEvents(counters.map { ThrottleEvent($0, rule: $0.kind.rule) }, now: clock.now)
        if let index = outcomes.firstIndex(where: { !$0.allowed }), counters.indices.contains(index) {
            metrics.throttled(counters[index].kind)
            return index
        }
        guard outcomes.count == counters.count else {
            throw StoreError.unavailable("the store counted \(outcomes.count) of \(counters.count) throttle events")
        }
        return nil
    }
}
