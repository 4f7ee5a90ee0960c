import Foundation
import Hummingbird
import Logging
import SesameCore

/// Sign-in, sign-out, and what sign-in may interrupt with: an expired password, forced registration, re-confirmation.
struct SignInController {
    let layout: PageLayout
    let signedIn: SignedInUsers
    let signIns: SignInService
    /// The sign-in page's passkey challenge.
    let passkeys: PasskeyService
    let captcha: Captcha
    let passwordChange: PasswordChange
    let policies: PolicyCache
    let directorySessions: DirectorySessionCheck
    let clock: any WallClock
    let random: any RandomSource
    let trustedProxies: Set<String>
    /// A sign-in answers no sooner than this, whatever the account: see `buildRouter`.
    let floor: Duration

    var endpoints: RouteCollection<WebContext> {
        RouteCollection(context: WebContext.self)
            .get("signin", use: show)
            .post("signin", use: signIn)
            .post("signin/passkey", use: signInWithPasskey)
            .post("signout", use: signOut)
            .get("signin/interrupt", use: interrupt)
            .get("signin/expired", use: showExpired)
            .post("signin/expired", use: changeExpired)
    }

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        // Every signed-in page sends a user whose password expired here: on to the change they still owe.
        if context.session?.session.mustChangePassword == true, try await signedIn.user(context, allowingExpiredPassword: true) != nil {
            return PageRenderer.redirect(to: "/signin/expired")
        }
        // A session the directory ended (DirectorySessionMiddleware) says why.
        let ended = request.query["ended"].flatMap { ["changed", "unconfirmed", "lifetime"].contains($0) ? layout.text("signin.ended.\($0)", context) : nil }
        return try await form(request, context, userID: "", error: ended)
    }

    /// With the CAPTCHA once the network failed a few times (docs/security.md#sign-in-captcha).
    private func form(
        _ request: Request, _ context: WebContext, userID: String, error: String?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let client = context.clientAddress(request, trustedProxies: trustedProxies)
        let fields: Any = try await signIns.needsCaptcha(clientAddress: client) ? CaptchaFields.values(captcha, layout: layout, context: context) : false
        // Made afresh for each showing and stored nowhere until answered, so that showing the page writes nothing.
        let browser = context.session?.session.csrfToken ?? ""
        let passkey: Any = try await passkeys.requestOptions(for: .signIn, subject: browser, user: nil).map(PasskeyForm.json) ?? false
        return try await layout.render(
            "signin", titleKey: "signin.title", values: ["userID": userID, "error": error ?? false, "captcha": fields, "passkey": passkey],
            context: context, status: status)
    }

    @Sendable func signIn(_ request: Request, context: WebContext) async throws -> Response {
        try await answer(noSoonerThan: floor) { try await signInUnpadded(request, context: context) }
    }

    private func signInUnpadded(_ request: Request, context: WebContext) async throws -> Response {
        let userID = context.form.text("userID")
        let client = context.clientAddress(request, trustedProxies: trustedProxies)
        let outcome = try await signIns.signIn(
            userID: userID, password: context.form["password"] ?? "", clientAddress: client, language: context.language,
            captcha: CaptchaFields.proof(context.form))
        return try await begin(outcome, request, context, userID: userID, client: client)
    }

    /// "Sign in with a passkey" (docs/behaviour.md#passkeys): the browser's assertion instead of a user ID and
    /// password; from there on, the same session as a password's.
    @Sendable func signInWithPasskey(_ request: Request, context: WebContext) async throws -> Response {
        try await answer(noSoonerThan: floor) { try await signInWithPasskeyUnpadded(request, context: context) }
    }

    private func signInWithPasskeyUnpadded(_ request: Request, context: WebContext) async throws -> Response {
        let client = context.clientAddress(request, trustedProxies: trustedProxies)
        guard let assertion = PasskeyForm.assertion(context.form) else {
            return try await form(request, context, userID: "", error: layout.text("passkey.notAccepted", context), status: .unauthorized)
        }
        let (outcome, refusal) = try await signIns.signIn(
            passkey: assertion, browser: context.session?.session.csrfToken ?? "", clientAddress: client, requestID: context.requestID)
        if let refusal {
            context.logger.notice("passkey sign-in refused", metadata: ["reason": "\(refusal)", "support_code": "\(context.requestID)"])
        }
        if outcome == .failed {
            return try await form(request, context, userID: "", error: layout.text("passkey.notAccepted", context), status: .unauthorized)
        }
        return try await begin(outcome, request, context, userID: "", client: client, passkey: true)
    }

    /// A session for the user `outcome` accepted, or the form again with why not.
    /// `passkey`: signed in with one, not the password; a directory account is then asked whether it is still open,
    /// since no bind was made.
    private func begin(
        _ outcome: SignInService.Outcome, _ request: Request, _ context: WebContext, userID: String, client: String, passkey: Bool = false
    ) async throws -> Response {
        guard case .accepted(let user) = outcome else {
            let (message, status) = SignInMessages.refusal(outcome, now: clock.now, context) ?? (layout.text("signin.failed", context), .unauthorized)
            return try await form(request, context, userID: userID, error: message, status: status)
        }
        // What the directory says of the account now: the session ends when that changes
        // (docs/security.md#sessions-and-the-directory).
        var watch: DirectoryWatch?
        if user.source == .directory {
            do {
                watch = try await directorySessions.watch(userID: user.userID)
                if passkey, let state = watch?.signedIn, state.disabled || state.locked {
                    try await signIns.refusedAfterwards(clientAddress: client)
                    return try await form(request, context, userID: "", error: layout.text("passkey.notAccepted", context), status: .unauthorized)
                }
            } catch {
                let refusal = SignInService.Outcome.refused(error as? WritebackError ?? .unavailable(reason: "\(error)"))
                let (message, status) = SignInMessages.refusal(refusal, now: clock.now, context) ?? (layout.text("signin.failed", context), .unauthorized)
                return try await form(request, context, userID: userID, error: message, status: status)
            }
        }
        let now = clock.now
        let policy = try await policies.policy()
        // A password an administrator set opens the same single page as an expired one
        // (docs/behaviour.md#administrator-set-passwords).
        let expired = policy.passwordExpiry(of: user, now: now).expired || user.passwordChangeRequired
        context.session?.rotate(newKey: SessionMiddleware.token(random), csrfToken: SessionMiddleware.token(random))
        let device = DeviceSummary.of(request.headers[.userAgent])
        context.session?.update {
            $0.signIn(user, at: now, device: device, address: client)
            $0.mustChangePassword = expired
            // Nothing another user started in this browser carries over.
            $0.pendingCode = nil
            $0.pendingAuthenticator = nil
            $0.pendingRecoveryCodes = nil
            $0.stepUp = nil
            if $0.reset?.isStepUp == true { $0.reset = nil }
            $0.directory = watch
            $0.passkeySignIn = passkey ? true : nil
        }
        return PageRenderer.redirect(to: expired ? "/signin/expired" : next(after: user, policy: policy, now: now))
    }

    /// Where a signed-in user goes next: the registration interrupt when due, else the account page.
    private func next(after user: User, policy: Policy, now: Date) -> String {
        policy.registrationInterrupt(for: user, now: now).map { "/signin/interrupt?kind=\($0.rawValue)" } ?? "/account"
    }

    @Sendable func signOut(_ request: Request, context: WebContext) async throws -> Response {
        context.session?.rotate(newKey: SessionMiddleware.token(random), csrfToken: SessionMiddleware.token(random))
        context.session?.update { $0 = WebSession(csrfToken: $0.csrfToken) }
        return PageRenderer.redirect(to: "/signin")
    }

    @Sendable func interrupt(_ request: Request, context: WebContext) async throws -> Response {
        guard try await signedIn.user(context) != nil else { return PageRenderer.redirect(to: "/signin") }
        let kind = request.query["kind"].flatMap { RegistrationInterrupt(rawValue: String($0)) } ?? .register
        return try await layout.render(
            "interrupt", titleKey: "interrupt.title",
            values: ["message": layout.text(kind == .register ? "interrupt.register" : "interrupt.reconfirm", context)], context: context)
    }

    @Sendable func showExpired(_ request: Request, context: WebContext) async throws -> Response {
        guard let user = try await signedIn.user(context, allowingExpiredPassword: true) else { return PageRenderer.redirect(to: "/signin") }
        return try await layout.render(
            "expired", titleKey: user.passwordChangeRequired ? "expired.adminSet.title" : "expired.title",
            values: ["error": false, "adminSet": user.passwordChangeRequired], context: context)
    }

    @Sendable func changeExpired(_ request: Request, context: WebContext) async throws -> Response {
        guard let user = try await signedIn.user(context, allowingExpiredPassword: true) else { return PageRenderer.redirect(to: "/signin") }
        let outcome = try await passwordChange.apply(context.form, to: user, context: context)
        guard case .changed(let changed) = outcome else {
            return try await layout.render(
                "expired", titleKey: "expired.title", values: ["errors": outcome.errors, "error": true], context: context, status: .unprocessableContent)
        }
        // The current password is proved now: a passkey session is a password session too.
        context.session?.update {
            $0.mustChangePassword = false
            $0.passkeySignIn = nil
        }
        return PageRenderer.redirect(to: next(after: changed, policy: try await policies.policy(), now: clock.now))
    }
}
