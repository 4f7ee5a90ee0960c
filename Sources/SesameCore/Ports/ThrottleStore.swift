import Foundation

/// Throttle counters, applied atomically with the semantics of ``ThrottleState/recordingEvent(_:rule:at:)``.
public protocol ThrottleStore: Sendable {
    /// Counts `events` in order and stops at the first one refused: the outcomes returned are those of the events
    /// counted, the refused one last. Each event is one atomic upsert. A code's send passes three or four limits
    /// (docs/security.md#abuse): SQLite counts them in one write transaction rather than one each. A store that fails
    /// part-way may keep the first counts (PostgreSQL) or none (SQLite); either way it throws and nothing is sent.
    func recordEvents(_ events: [ThrottleEvent], now: Date) async throws -> [ThrottleOutcome]
    /// The counters of `keys` that exist, read at once: a check that needs several (the reset blocks, asked at every
    /// proof and send) costs one lookup rather than one a key. A key with no counter is absent.
    func throttleStates(_ keys: [ThrottleKey]) async throws -> [ThrottleKey: ThrottleState]
    /// Forgets the counters of `subject` for `kinds` (after a successful reset: ``ThrottleKind/perUser``), and those
    /// the subject has per network (``ThrottleKey/subject(user:client:)``: `subject|address`).
    func clearThrottles(subject: String, kinds: [ThrottleKind]) async throws
    /// Deletes counters whose window started before `cutoff` and that are not blocked at `now`: the next event would
    /// start them afresh anyway. Returns how many (the sweeper keeps spent CAPTCHA tokens from piling up).
    func deleteThrottles(settledBefore cutoff: Date, now: Date) async throws -> Int
}

extension ThrottleStore {
    /// Counts one event for `key` under `rule` and reports whether it was allowed.
    public func recordEvent(_ key: ThrottleKey, rule: ThrottleRule, now: Date) async throws -> ThrottleOutcome {
        guard let outcome = try await recordEvents([ThrottleEvent(key, rule: rule)], now: now).first else {
            throw StoreError.unavailable("no outcome for the throttle event")
        }
        return outcome
    }

    /// The counter of `key`, if it exists.
    public func throttleState(_ key: ThrottleKey) async throws -> ThrottleState? {
        try await throttleStates([key])[key]
    }

    /// Whether any of `keys` is blocked at `now`.
    public func isAnyBlocked(_ keys: [ThrottleKey], at now: Date) async throws -> Bool {
        try await throttleStates(keys).values.contains { $0.isBlocked(at: now) }
    }
}
