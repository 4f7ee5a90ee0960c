import Foundation

/// Seals authenticator secrets under the server secret (docs/security.md#authenticator-app): on the user's record,
/// and in the session between showing a new key and its first code. Each is sealed for its user and its place, so a
/// sealed key copied to another user, or from a session to a record, does not open.
public struct AuthenticatorKeys: Sendable {
    private let seal: SecretSeal

    public init(secret: ServerSecret) {
        seal = SecretSeal(secret: secret, label: "sesame authenticator v1")
    }

    /// Where a sealed key is kept.
    public enum Place: String, Sendable {
        /// On the user's record: the registered key.
        case record
        /// In the registering user's session, until a first code confirms it.
        case session
    }

    public func seal(_ secret: AuthenticatorSecret, for user: UUID, in place: Place) throws -> Data {
        try seal.seal(Data(secret.bytes), context: Self.context(user, place))
    }

    /// The key sealed for `user` in `place`; `nil` when it was sealed for another user or place, or under another
    /// server secret.
    public func open(_ sealed: Data, for user: UUID, in place: Place) -> AuthenticatorSecret? {
        guard let plain = try? seal.open(sealed, context: Self.context(user, place)), plain.count == AuthenticatorSecret.byteCount else { return nil }
        return AuthenticatorSecret(bytes: Array(plain))
    }

    private static func context(_ user: UUID, _ place: Place) -> String {
        "\(place.rawValue)|\(user.uuidString)"
    }
}

/// How a typed authenticator code ended (docs/behaviour.md#authenticator-app).
public enum AuthenticatorCodeCheck: Sendable, Hashable {
    case accepted
    /// Not six digits (spaces ignored): nothing was compared.
    case malformed
    /// No code of the window matches.
    case wrong
    /// The code matches a step no later than the last one accepted: a code is good once.
    case reused
}

/// Checks a code against a user's registered key, and spends its time step in the store, once
/// (docs/security.md#authenticator-app).
struct AuthenticatorCheck: Sendable {
    let store: any Store
    let keys: AuthenticatorKeys
    let clock: any WallClock

    func verify(_ typed: String, for user: User) async throws -> AuthenticatorCodeCheck {
        guard let code = VerificationCode(typed) else { return .malformed }
        guard let sealed = user.authentication.sealedAuthenticatorSecret, let secret = keys.open(sealed, for: user.id, in: .record),
            let step = TimeBasedPassword.matchingStep(of: code, key: secret.bytes, at: clock.now)
        else { return .wrong }
        // Compare-and-set in one statement: of two requests carrying one code, only one moves the step on.
        return try await store.claimAuthenticatorStep(step, ofUser: user.id) ? .accepted : .reused
    }
}
