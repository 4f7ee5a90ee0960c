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

    /// What the database's tables hold.
    struct State {
        var users: [UUID: User] = [:]
        var policy: VersionedPolicy?
        var logo: Logo?
        var challenges: [UUID: CodeChallenge] = [:]
        var throttles: [ThrottleKey: ThrottleState] = [:]
        var auditEvents: [AuditEvent] = []
        var resetActivities: [ResetActivity] = []
        var registrationActivities: [RegistrationActivity] = []
        var tokens: [APIToken] = []
        var sessions: [String: Session] = [:]
        var deliveries: [Delivery] = []
        var lockouts: [String: (lockout: SignInLockout, expiresAt: Date)] = [:]
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
