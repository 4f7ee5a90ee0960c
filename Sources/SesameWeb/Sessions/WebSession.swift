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
    var pendingCode: PendingCode?
    /// A password reset in progress (the reset portal needs no sign-in).
    var reset: ResetFlow?
    /// The user ID typed at a reset that ended before any verification: whom "contact your administrator" is about.
    var contactUserID: String?
    /// When the session was last saved: a session in use is saved again once this is a quarter of its lifetime old,
    /// so that it expires an hour after the last page, not after the last change.
    var savedAt: Date?
    /// Signed in with an expired password: only the change-password page is open until it is changed.
    var mustChangePassword: Bool = false

    struct PendingCode: Codable, Sendable, Hashable {
        let challengeID: UUID
        /// `phone` or `email`.
        let method: String
        let destination: String
        let channel: CodeChannel
    }
}

/// The session of one request, shared between the middleware (which loads and saves it) and the page handlers
/// (which change it). A reference, so that what a handler changes reaches the middleware after `next`.
final class SessionHandle: Sendable {
    private let state: Mutex<(session: WebSession, dirty: Bool, key: String, rotate: Bool)>
    /// Loaded from the store under its key: saved by updating that row, never by creating it again.
    private let loaded: Bool

    init(_ session: WebSession, key: String, isNew: Bool) {
        state = Mutex((session, isNew, key, false))
        loaded = !isNew
    }

    /// Whether the store holds this session under its current key (it was loaded, and its key not rotated since).
    var isStored: Bool { loaded && !needsRotation }

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

