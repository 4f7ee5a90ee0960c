import Foundation
import SesameCore
import Synchronization

/// The whole ``Store`` port in memory, for the core's service tests (docs/security.md#in-memory-store). It stands in
/// for a database, so it passes the same contract suite as the SQLite and PostgreSQL adapters: every call is atomic
/// (one lock around the state), and reads and writes mean exactly what the adapters' statements mean.
public final class InMemoryStore: Store {
    let state = Mutex(State())

    public init() {}

    public func ping() async throws {}

    /// How often users (one at a time) and the policy were read: what a test counts to hold one request to one read of
    /// each (docs/architecture.md#one-request-end-to-end).
    public struct Reads: Sendable, Hashable {
        public var users: Int
        public var policies: Int

        public init(users: Int = 0, policies: Int = 0) {
            self.users = users
            self.policies = policies
        }
    }

    public var reads: Reads { state.withLock { $0.reads } }

    /// What the database's tables hold.
    struct State {
        var users: [UUID: User] = [:]
        var policy: VersionedPolicy?
        var logo: Logo?
        var challenges: [UUID: CodeChallenge] = [:]
        /// Each user's unused recovery codes; the count is also kept on the stored user, as the adapters read it.
        var recoveryCodes: [UUID: [StoredRecoveryCode]] = [:]
        var reportLinks: [[UInt8]: ReportLink] = [:]
        /// Passkeys by their ID; the user's count is also kept on the stored user, as the adapters read it.
        var passkeys: [UUID: Passkey] = [:]
        /// Answered passkey challenges' expiry, by MAC.
        var passkeyChallenges: [[UInt8]: Date] = [:]
        var throttles: [ThrottleKey: ThrottleState] = [:]
        var auditEvents: [AuditEvent] = []
        var resetActivities: [ResetActivity] = []
        var registrationActivities: [RegistrationActivity] = []
        var tokens: [APIToken] = []
        var sessions: [String: Session] = [:]
        var deliveries: [Delivery] = []
        var lockouts: [String: (lockout: SignInLockout, expiresAt: Date)] = [:]
        var accessPasses: [UUID: TemporaryAccessPass] = [:]
        /// The users' `authenticator_last_step` column, which no whole-record write touches.
        var authenticatorSteps: [UUID: Int64] = [:]
        var reads = Reads()
    }

    struct Session {
        var data: Data
        var userID: UUID?
        var expiresAt: Date
        var version: Int64
    }
}

/// Orders user IDs as the adapters' indexes do: by their bytes.
func precedesByBytes(_ left: String, _ right: String) -> Bool {
    left.utf8.lexicographicallyPrecedes(right.utf8)
}
