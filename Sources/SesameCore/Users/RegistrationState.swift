import Foundation

/// When a user registered their recovery methods and last confirmed them (docs/behaviour.md#registration-portal).
public struct RegistrationState: Sendable, Hashable, Codable {
    public var registeredAt: Date?
    public var lastConfirmedAt: Date?

    public init(registeredAt: Date? = nil, lastConfirmedAt: Date? = nil) {
        self.registeredAt = registeredAt
        self.lastConfirmedAt = lastConfirmedAt
    }

    public var isRegistered: Bool { registeredAt != nil }

    /// Records a completed registration or re-confirmation.
    public mutating func confirm(at now: Date) {
        if registeredAt == nil { registeredAt = now }
        lastConfirmedAt = now
    }

    /// Whether re-confirmation is due: `reconfirmDays` (0 = never) have passed since the last confirmation.
    public func needsReconfirmation(reconfirmDays: Int, now: Date) -> Bool {
        guard reconfirmDays > 0, let confirmed = lastConfirmedAt ?? registeredAt else { return false }
        return now.timeIntervalSince(confirmed) > Double(reconfirmDays) * 86_400
    }
}
