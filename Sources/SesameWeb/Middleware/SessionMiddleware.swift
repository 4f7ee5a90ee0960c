import Crypto
import Foundation
import Hummingbird
import SesameCore

/// Loads the browser's session from the store before a page runs, and saves it (setting the cookie) after, when the
/// page changed it. The cookie holds 32 random bytes; the store keeps only their SHA-256. A session holding nothing
/// but its CSRF token is not stored at all: the cookie carries the token, signed, so that a visitor who only loads
/// pages writes nothing and cannot fill the store (docs/security.md#sessions).
struct SessionMiddleware: RouterMiddleware {
    typealias Context = WebContext

    static let cookieName = "sesame_session"
    /// Idle sessions end an hour after their last change.
    static let lifetime: TimeInterval = 3_600
    /// However busy, a signed-in session ends this long after sign-in; an administrator's sooner
    /// (docs/security.md#sessions).
    static let absoluteLifetime: TimeInterval = 8 * 3_600
    static let privilegedAbsoluteLifetime: TimeInterval = 3_600

    let store: any SessionStore
    /// Signs the anonymous cookie; every instance holds the same one.
    let secret: ServerSecret
    let clock: any WallClock
    let random: any RandomSource
    let secureCookies: Bool
    /// One request at a time per session on this instance: a double submit waits for the first rather than racing
    /// it to the store, where it could only start again from what the first wrote (docs/security.md#races).
    let turns = KeyedTurns(capacity: 1)

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard let key = request.cookies[Self.cookieName]?.value else { return try await handleInTurn(request, context: context, next: next) }
        return try await turns.withTurn(Self.digest(key)) { try await handleInTurn(request, context: context, next: next) }
    }

    private func handleInTurn(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        let (handle, anonymous) = try await load(request)
        let originalKey = handle.key
        context.session = handle
        var response: Response
        if handle.session.outlived(at: clock.now) {
            // As signing out does: a fresh key, nothing of the old session kept, and the sign-in page says why.
            handle.rotate(newKey: Self.token(random), csrfToken: Self.token(random))
            handle.update { $0 = WebSession(csrfToken: $0.csrfToken) }
            response = PageRenderer.redirect(to: "/signin?ended=lifetime")
        } else {
            response = try await next(request, context)
        }
        if handle.needsRotation { try await store.deleteSession(key: Self.digest(originalKey)) }
        let now = clock.now
        if handle.session.isAnonymous, !handle.isStored {
            // Sent again once a quarter of its lifetime old, as a stored session is saved again, so that it lasts an
            // hour after the last page.
            if let anonymous, anonymous.csrfToken == handle.session.csrfToken, now.timeIntervalSince(anonymous.issuedAt) <= Self.lifetime / 4 {
                return response
            }
            response.setCookie(cookie(anonymousCookieValue(handle.session.csrfToken, issuedAt: now)))
            return response
        }
        if !handle.isDirty, let saved = handle.session.savedAt, now.timeIntervalSince(saved) > Self.lifetime / 4 {
            handle.update { _ in }
        }
        if handle.isDirty {
            handle.update { $0.savedAt = now }
            let (key, session, expires) = (Self.digest(handle.key), handle.session, now.addingTimeInterval(Self.lifetime))
            if let loaded = handle.loaded, handle.isStored {
                // Never upserted: a session a reset (or a change of roles…) ended while this request ran stays ended.
                guard try await save(session, over: loaded, key: key, expiresAt: expires) else { return response }
            } else {
                try await store.saveSession(key: key, data: try JSONEncoder().encode(session), userID: session.userID, expiresAt: expires)
            }
            response.setCookie(cookie(handle.key))
        }
        return response
    }

    /// How often a request tries to lay its changes over sessions other requests keep saving meanwhile.
    static let attempts = 16

    /// Writes what this request made of the session at the version it loaded. When another request (on this
    /// instance or another) saved it meanwhile, this request's changes are laid over what that one wrote, and written
    /// at the new version: nothing the other wrote is lost (docs/security.md#session-writes-across-instances).
    /// `false` when the session ended meanwhile.
    private func save(_ ours: WebSession, over loaded: (session: WebSession, version: Int64), key: String, expiresAt: Date) async throws -> Bool {
        var (session, version) = (ours, loaded.version)
        for _ in 0..<Self.attempts {
            let data = try JSONEncoder().encode(session)
            switch try await store.updateSession(key: key, data: data, userID: session.userID, expiresAt: expiresAt, version: version) {
            case .saved: return true
            case .ended: return false
            case .changed:
                guard let current = try await store.session(key: key, now: clock.now) else { return false }
                session = (try? JSONDecoder().decode(WebSession.self, from: current.data)).map { ours.rebased(from: loaded.session, onto: $0) } ?? ours
                version = current.version
            }
        }
        throw StoreError.conflict("the session kept changing while this request saved it")
    }

    private func load(_ request: Request) async throws -> (SessionHandle, AnonymousCookie?) {
        if let value = request.cookies[Self.cookieName]?.value, let anonymous = anonymousCookie(value) {
            // Stored under a fresh key the moment a page puts something in it.
            return (SessionHandle(WebSession(csrfToken: anonymous.csrfToken), key: Self.token(random), version: nil), anonymous)
        }
        if let key = request.cookies[Self.cookieName]?.value,
            let stored = try await store.session(key: Self.digest(key), now: clock.now),
            let session = try? JSONDecoder().decode(WebSession.self, from: stored.data)
        {
            return (SessionHandle(session, key: key, version: stored.version), nil)
        }
        return (SessionHandle(WebSession(csrfToken: Self.token(random)), key: Self.token(random), version: nil), nil)
    }

    /// What a well-signed anonymous cookie carries.
    struct AnonymousCookie {
        var csrfToken: String
        var issuedAt: Date
    }

    /// `a.TOKEN.ISSUED.MAC`, ISSUED in whole seconds since 1970: a stored session's key never holds a dot, so the two
    /// kinds of cookie cannot be confused.
    func anonymousCookieValue(_ csrfToken: String, issuedAt: Date) -> String {
        let issued = Int64(issuedAt.timeIntervalSince1970.rounded(.down))
        return "a.\(csrfToken).\(issued).\(secret.mac(Self.anonymousMessage(csrfToken, issued: issued)).base64URL)"
    }

    /// A well-signed anonymous cookie issued less than a session's lifetime ago; `nil` for anything else.
    func anonymousCookie(_ value: String) -> AnonymousCookie? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts.first == "a", let token = parts.dropFirst().first,
            let issued = parts.dropFirst(2).first.flatMap({ Int64($0) }),
            let signature = parts.last, let mac = [UInt8](base64URL: signature, limit: 64),
            secret.isValid(mac: mac, for: Self.anonymousMessage(token, issued: issued))
        else { return nil }
        let issuedAt = Date(timeIntervalSince1970: TimeInterval(issued))
        let age = clock.now.timeIntervalSince(issuedAt)
        guard age >= -60, age < Self.lifetime else { return nil }
        return AnonymousCookie(csrfToken: token, issuedAt: issuedAt)
    }

    private static func anonymousMessage(_ csrfToken: String, issued: Int64) -> String { "session.anonymous|\(csrfToken)|\(issued)" }

    func cookie(_ key: String) -> Cookie {
        Cookie(name: Self.cookieName, value: key, maxAge: Int(Self.lifetime), path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax)
    }

    static func token(_ random: any RandomSource) -> String {
        random.bytes(32).base64URL
    }

    static func digest(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).hex
    }
}
