import Foundation
import SesameCore
import Synchronization

/// What a browser session remembers between pages. Stored in the store (as JSON) so that any instance can serve
/// the next request.
struct WebSession: Codable, Sendable, Hashable {
    /// Checked on every form post.
    var csrfToken: String
    /// The signed-in user, once the password was right.
    var userID: UUID?
    /// A code sent during registration, waiting to be typed.
    var pendingCode: PendingRegistrationCode?
    /// An authenticator app's key shown at registration, sealed, until its first code confirms it
    /// (docs/security.md#authenticator-app).
    var pendingAuthenticator: Data?
    /// The hashes of a new set of recovery codes, until the user types one back (docs/behaviour.md#recovery-codes).
    var pendingRecoveryCodes: [StoredRecoveryCode]?
    /// A password reset in progress (the reset portal needs no sign-in), or the signed-in user's step-up.
    var reset: ResetFlow?
    /// The signed-in user's last step-up, which opens changes to their methods for ten minutes
    /// (docs/behaviour.md#step-up).
    var stepUp: StepUpProof?
    /// The user ID typed at a reset that ended before any verification: whom "contact your administrator" is about.
    var contactUserID: String?
    /// When the session was last saved: a session in use is saved again once this is a quarter of its lifetime old,
    /// so that it expires an hour after the last page, not after the last change.
    var savedAt: Date?
    /// Signed in with an expired password: only the change-password page is open until it is changed.
    var mustChangePassword: Bool = false
    /// A directory user's account as the directory described it at sign-in, and when it last confirmed it.
    var directory: DirectoryWatch?
    /// When the user signed in, and when the session ends then whatever its use: the absolute lifetime
    /// (docs/security.md#sessions).
    var signedInAt: Date?
    var endsAt: Date?
    /// What the user's list of sessions shows of the browser that signed in: a summary of its User-Agent from a fixed
    /// vocabulary (``DeviceSummary``), never the header itself, and the client's address.
    var device: String?
    var address: String?
    /// Signed in with a passkey, not the password: the step-up must then be another method
    /// (docs/behaviour.md#step-up). `nil` in sessions saved before passkeys.
    var passkeySignIn: Bool?
}

extension WebSession {
    /// Holds nothing but its CSRF token: a browser that has only seen pages. Such a session lives in a signed cookie,
    /// never in the store (docs/security.md#sessions).
    var isAnonymous: Bool { self == WebSession(csrfToken: csrfToken) }

    /// Starts the signed-in part of a session: its absolute lifetime, shorter for anyone holding a role, runs from
    /// now (docs/security.md#sessions).
    mutating func signIn(_ user: User, at now: Date, device: String?, address: String) {
        userID = user.id
        signedInAt = now
        endsAt = now.addingTimeInterval(user.isPrivileged ? SessionMiddleware.privilegedAbsoluteLifetime : SessionMiddleware.absoluteLifetime)
        self.device = device
        self.address = address
    }

    /// Whether a signed-in session is past its absolute lifetime; one without an end (saved by an older version)
    /// counts as past it.
    func outlived(at now: Date) -> Bool {
        userID != nil && (endsAt.map { now >= $0 } ?? true)
    }

    /// What this request made of `base` (the session as it loaded it), laid over `current` (what another request
    /// saved meanwhile): the fields this request changed are its own, but for the reset flow, where both requests'
    /// changes are reconciled (docs/security.md#session-writes-across-instances).
    func rebased(from base: WebSession, onto current: WebSession) -> WebSession {
        var merged = current
        func keepOurs<Value: Equatable>(_ field: WritableKeyPath<WebSession, Value>) {
            if self[keyPath: field] != base[keyPath: field] { merged[keyPath: field] = self[keyPath: field] }
        }
        // Every field but the flow.
        keepOurs(\.csrfToken)
        keepOurs(\.userID)
        keepOurs(\.pendingCode)
        keepOurs(\.pendingAuthenticator)
        keepOurs(\.pendingRecoveryCodes)
        keepOurs(\.stepUp)
        keepOurs(\.contactUserID)
        keepOurs(\.savedAt)
        keepOurs(\.mustChangePassword)
        keepOurs(\.directory)
        keepOurs(\.signedInAt)
        keepOurs(\.endsAt)
        keepOurs(\.device)
        keepOurs(\.address)
        keepOurs(\.passkeySignIn)
        if reset != base.reset {
            merged.reset = current.reset == base.reset ? reset : ResetFlow.reconciled(base: base.reset, ours: reset, theirs: current.reset)
        }
        return merged
    }
}

/// The session of one request, shared between the middleware (which loads and saves it) and the page handlers
/// (which change it). A reference, so that what a handler changes reaches the middleware after `next`.
final class SessionHandle: Sendable {
    private let state: Mutex<(session: WebSession, dirty: Bool, key: String, rotate: Bool)>
    /// The session as loaded from the store under its key, and its version then: saved by updating that row at that
    /// version, never by creating it again. `nil` for a new session.
    let loaded: (session: WebSession, version: Int64)?

    /// - Parameter version: the stored session's version; `nil` for a new one.
    init(_ session: WebSession, key: String, version: Int64?) {
        state = Mutex((session, version == nil, key, false))
        loaded = version.map { (session, $0) }
    }

    /// Whether the store holds this session under its current key (it was loaded, and its key not rotated since).
    var isStored: Bool { loaded != nil && !needsRotation }

    var session: WebSession { state.withLock { $0.session } }
    var isDirty: Bool { state.withLock { $0.dirty } }
    var key: String { state.withLock { $0.key } }
    var needsRotation: Bool { state.withLock { $0.rotate } }

    func update(_ change: (inout WebSession) -> Void) {
        state.withLock { state in
            change(&state.session)
            state.dirty = true
        }
    }

    /// Signing in changes the session's key and token, so that a key planted before sign-in is worthless.
    func rotate(newKey: String, csrfToken: String) {
        state.withLock { state in
            state.key = newKey
            state.session.csrfToken = csrfToken
            state.dirty = true
            state.rotate = true
        }
    }
}

