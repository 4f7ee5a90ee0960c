import Foundation

/// A counter's state. ``recordingEvent(rule:at:)`` is the reference semantics: a SQL store applies exactly this in a
/// single atomic statement, and the store contract suite checks that it agrees with this function.
public struct ThrottleState: Sendable, Hashable, Codable {
    public var count: Int
    public var windowStart: Date
    public var blockedUntil: Date?

    public init(count: Int, windowStart: Date, blockedUntil: Date? = nil) {
        self.count = count
        self.windowStart = windowStart
        self.blockedUntil = blockedUntil
    }

    public func isBlocked(at now: Date) -> Bool {
        blockedUntil.map { $0 > now } ?? false
    }

    /// Counts one event. While blocked nothing changes and the event is refused. Otherwise the event counts (in a
    /// fresh window when the last one ended or a block ran out), and reaching the limit starts a block.
    public static func recordingEvent(_ state: ThrottleState?, rule: ThrottleRule, at now: Date) -> ThrottleOutcome {
        if let state, state.isBlocked(at: now) { return ThrottleOutcome(allowed: false, state: state) }
        let current = state.flatMap { $0.blockedUntil != nil || now.timeIntervalSince($0.windowStart) >= rule.window ? nil : $0 }
        let count = (current?.count ?? 0) + 1
        let next = ThrottleState(
            count: count, windowStart: current?.windowStart ?? now,
            blockedUntil: count >= rule.limit ? now.addingTimeInterval(rule.block) : nil)
        return ThrottleOutcome(allowed: true, state: next)
    }
}

/// Whether the event was allowed, and the counter after it.
public struct ThrottleOutcome: Sendable, Hashable {
    public let allowed: Bool
    public let state: ThrottleState

    public init(allowed: Bool, state: ThrottleState) {
        self.allowed = allowed
        self.state = state
    }
}
