import Foundation

/// The one place that decides whether a code may be sent, from the reset portal and the registration portal alike
/// (docs/security.md#abuse): the network asking, the user's own limits by channel and by day, then the destination.
/// Each limit is counted in the store, so every instance agrees.
public struct SendLimits: Sendable {
    private let store: any ThrottleStore
    private let clock: any WallClock
    private let throttles: Throttles

    public init(store: any ThrottleStore, clock: any WallClock, metrics: SesameMetrics = .none) {
        self.store = store
        self.clock = clock
        throttles = Throttles(store: store, clock: clock, metrics: metrics)
    }

    /// Which limit refused a send.
    public enum Refusal: Sendable, Hashable {
        /// Too many sends asked from this network: it says nothing about the user, so the user's limits are untouched.
        case client
        /// The user's phone limit (5 an hour) or email limit (10 in 10 minutes): blocked for 24 hours.
        case phone, email
        /// The user's daily bound on this channel.
        case daily
        /// Too many sends to this number, whoever asks.
        case destination
    }

    /// Counts one send of `channel` to `destination` for `user`, asked from `client`; the first limit that refuses.
    /// The destination's limit comes before the user's: someone who floods the user's number with codes of their
    /// own does not also spend the user's allowance.
    public func allow(_ channel: CodeChannel, to destination: String, user: UUID, client: String) async throws -> Refusal? {
        let isPhone = channel != .email
        let limits: [(counter: ThrottleKey, refusal: Refusal)] =
            [(ThrottleKey(.clientSend, client), .client)] + (isPhone ? [(ThrottleKey(.destinationPhone, destination), .destination)] : []) + [
                (ThrottleKey(isPhone ? .phoneSend : .emailSend, user.uuidString), isPhone ? .phone : .email),
                (ThrottleKey(isPhone ? .dailyPhoneSend : .dailyEmailSend, user.uuidString), .daily),
            ]
        // `firstRefused` answers an index of the counters it was given.
        return try await throttles.firstRefused(limits.map(\.counter)).map { limits[$0].refusal }
    }

    /// Whether this user's phone number may be checked now from this network: not after 5 wrong numbers in an hour
    /// from it, nor 20 in a day from all networks together, right or wrong, or the answers would go on telling a
    /// guesser when they are right.
    public func mayCheckPhoneNumber(user: UUID, client: String) async throws -> Bool {
        let keys = [ThrottleKey(.phoneCheck, ThrottleKey.subject(user: user, client: client)), ThrottleKey(.dailyPhoneCheck, user.uuidString)]
        return try await !store.isAnyBlocked(keys, at: clock.now)
    }

    /// Counts a phone number typed at the reset portal that is not the one on file: 5 an hour for this user *from
    /// this network* (a stranger's guesses block the stranger, not the user) and 20 a day from all networks.
    /// `false` once either is spent (docs/security.md#abuse).
    public func allowWrongPhoneNumber(user: UUID, client: String) async throws -> Bool {
        let fromHere = try await count(.phoneCheck, ThrottleKey.subject(user: user, client: client))
        let everywhere = try await count(.dailyPhoneCheck, user.uuidString)
        return fromHere && everywhere
    }

    private func count(_ kind: ThrottleKind, _ subject: String) async throws -> Bool {
        try await throttles.allows(kind, subject)
    }
}
