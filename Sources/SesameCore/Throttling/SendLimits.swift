import Foundation

/// The one place that decides whether a code may be sent, from the reset portal and the registration portal alike
/// (docs/security.md#abuse): the network asking, the user's own limits by channel and by day, then the destination.
/// Each limit is counted in the store, so every instance agrees.
public struct SendLimits: Sendable {
    private let store: any ThrottleStore
    private let clock: any WallClock

    public init(store: any ThrottleStore, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Which limit refused a send.
    public enum Refusal: Sendable, Hashable {
        /// Too many sends asked from this network: it says nothing about the user, so the user's limits are untouched.
        case client
        /// The user's phone limit (5 an hour) or email limit (10 in 10 minutes): blocked for 24 hours.
        case phone, email
        /// The user's daily bound, whatever the channel.
        case daily
        /// Too many sends to this number, whoever asks.
        case destination
    }

    /// Counts one send of `channel` to `destination` for `user`, asked from `client`; the first limit that refuses.
    public func allow(_ channel: CodeChannel, to destination: String, user: UUID, client: String) async throws -> Refusal? {
        guard try await count(.clientSend, client) else { return .client }
        let isPhone = channel != .email
        guard try await count(isPhone ? .phoneSend : .emailSend, user.uuidString) else { return isPhone ? .phone : .email }
        guard try await count(.dailySend, user.uuidString) else { return .daily }
        if isPhone, !(try await count(.destinationPhone, destination)) { return .destination }
        return nil
    }

    /// Counts a phone number typed at the reset portal that is not the one on file. Counted for this user *from
    /// this network*: wrong guesses block the guesser, not the user (docs/security.md#abuse). `false` once blocked.
    public func allowWrongPhoneNumber(user: UUID, client: String) async throws -> Bool {
        try await count(.phoneCheck, "\(user.uuidString)|\(client)")
    }

    private func count(_ kind: ThrottleKind, _ subject: String) async throws -> Bool {
        try await store.recordEvent(ThrottleKey(kind, subject), rule: kind.rule, now: clock.now).allowed
    }
}
