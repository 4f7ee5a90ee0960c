import Foundation

/// The last time step at which a user's authenticator code was accepted, written by one call alone (not by
/// ``UserStore/updateUser(_:)``), so that a whole-record write cannot bring an older step back and let a used code
/// pass again (docs/security.md#authenticator-app).
public protocol AuthenticatorStore: Sendable {
    /// Records `step` as the user's last accepted one when none is recorded or the recorded one is earlier; whether it
    /// did. One statement: of several calls with one step, only one gets `true`.
    func claimAuthenticatorStep(_ step: Int64, ofUser id: UUID) async throws -> Bool
}
