import Foundation
import Hummingbird
import Logging
import SesameCore

/// The reset portal (docs/behaviour.md#reset-portal): "Who are you?" with a CAPTCHA, the gates, the new password or the
/// unlock choice, and a clear next step for every way it can end. The flow lives in the session; ``ResetService``
/// decides.
struct ResetController {
    let layout: PageLayout
    let service: ResetService
    /// A step-up's proof is for the signed-in user it was started for (docs/behaviour.md#step-up).
    let signedIn: SignedInUsers
    let captcha: Captcha
    let captchaGate: CaptchaGate
    let policies: PolicyCache
    let clock: any WallClock
    let trustedProxies: Set<String>

    var endpoints: RouteCollection<WebContext> {
        RouteCollection(context: WebContext.self)
            .get("reset", use: whoAreYou)
            .post("reset", use: start)
            .get("reset/verify", use: verify)
            .post("reset/option", use: chooseOption)
            .post("reset/phone", use: confirmPhone)
            .post("reset/code", use: checkCode)
            .post("reset/questions", use: answerQuestions)
            .post("reset/access-pass", use: redeemAccessPass)
            .post("reset/recovery-code", use: checkRecoveryCode)
            .post("reset/passkey", use: checkPasskey)
            .get("reset/password", use: passwordForm)
            .post("reset/password", use: setPassword)
            .post("reset/unlock", use: unlock)
            .post("reset/cancel", use: cancel)
            .post("reset/contact", use: contact)
    }

    // MARK: Who are you?

    @Sendable func whoAreYou(_ request: Request, context: WebContext) async throws -> Response {
        try await startPage(context, userID: request.query["userID"] ?? "", error: nil)
    }

    private func startPage(_ context: WebContext, userID: String, error: String?) async throws -> Response {
        try await layout.render("reset-start", titleKey: "reset.title", values: [
            "userID": userID, "error": error ?? false, "captcha": CaptchaFields.values(captcha, layout: layout, context: context),
        ], context: context, status: error == nil ? .ok : .unprocessableContent)
    }

    /// "Who are you?" and "Contact your administrator" answer no sooner than this, whatever the user ID: a known
    /// user costs the store a few more queries (and the administrators an email) than an unknown one.
    static let floor: Duration = .milliseconds(25)

    @Sendable func start(_ request: Request, context: WebContext) async throws -> Response {
        try await answer(noSoonerThan: Self.floor) { try await startUnpadded(request, context: context) }
    }

    private func startUnpadded(_ request: Request, context: WebContext) async throws -> Response {
        let typed = context.form.text("userID")
        let client = client(request, context)
        switch try await captchaGate.check(CaptchaFields.proof(context.form), clientAddress: client) {
        case .passed: break
        case .failed: return try await startPage(context, userID: typed, error: layout.text("reset.captcha.failed", context))
        case .tooManySums: return try await ending("reset.tooMany", context, contact: false, status: .tooManyRequests)
        }
        try await abandon(context)
        let started = try await service.start(userID: typed, clientAddress: client, requestID: context.requestID)
        context.session?.update { $0.contactUserID = typed }
        switch started {
        case .verify(let flow, _, _):
            context.session?.update { $0.reset = flow }
            return PageRenderer.redirect(to: "/reset/verify")
        // One page for every account that cannot reset here, unknown user IDs included, so that an outsider learns
        // nothing of who exists, is disabled or lives in the directory; the report keeps the reason
        // (docs/security.md#enumeration).
        case .notEnabled, .cannotVerify, .managedElsewhere, .directoryUnavailable:
            return try await ending("reset.cannotVerify", context, contact: true)
        case .blocked: return try await ending("reset.blocked", context, contact: true, status: .tooManyRequests)
        case .tooManyStarts: return try await ending("reset.tooMany", context, contact: false, status: .tooManyRequests)
        }
    }

    /// A flow left unfinished when a new one starts is recorded as abandoned, at the step it reached.
    private func abandon(_ context: WebContext) async throws {
        guard let flow = context.session?.session.reset else { return }
        try await service.abandon(flow, requestID: context.requestID)
        context.session?.update { $0.reset = nil }
    }

    // MARK: Gates

    /// Runs `body` on the flow in the session; without one, back to "Who are you?"; once its 15 minutes are over,
    /// the page that says so.
    private func withFlow(_ context: WebContext, _ body: (ResetFlow) async throws -> Response) async throws -> Response {
        guard let flow = context.session?.session.reset else { return PageRenderer.redirect(to: "/reset") }
        guard !flow.hasExpired(at: clock.now) else {
            context.session?.update { $0.reset = nil }
            // The registration portal starts a new step-up on the next change.
            if flow.isStepUp { return PageRenderer.redirect(to: "/register") }
            return try await ending("reset.expired", context, contact: false)
        }
        return try await body(flow)
    }

    @Sendable func verify(_ request: Request, context: WebContext) async throws -> Response {
        try await withFlow(context) { flow in try await gatePage(flow, context: context) }
    }

    /// The page of the flow's current gate, as it stands in the store now.
    private func gatePage(_ flow: ResetFlow, context: WebContext) async throws -> Response {
        let view: GateView
        do {
            view = try await service.gateView(of: flow)
        } catch StoreError.notFound {
            throw PageError.generic  // the user was deleted meanwhile
        }
        return try await gatePage(flow, view: view, context: context, error: nil)
    }

    /// - Parameter deliveryFailed: a code could not be sent: "try again" and "contact your administrator" appear
    ///   after 10 seconds (docs/behaviour.md#codes-by-sms-call-or-email), so that a slow provider gets its chance
    ///   first.
    /// - Parameter passOpen: the temporary access pass's form shows open (a wrong pass was typed in it).
    private func gatePage(
        _ flow: ResetFlow, view: GateView, context: WebContext, error: String?, deliveryFailed: Bool = false, passOpen: Bool = false
    ) async throws -> Response {
        let status: HTTPResponse.Status = error == nil ? .ok : .unprocessableContent
        if view.isComplete { return flow.isStepUp ? try await endStepUp(flow, context: context) : PageRenderer.redirect(to: "/reset/password") }
        let titleKey = flow.isStepUp ? "stepUp.title" : "reset.title"
        // A step-up has one gate: no step to count, but why it is asked.
        var values: [String: Any] = [
            "heading": layout.text(titleKey, context), "error": error ?? false, "deliveryFailed": deliveryFailed,
            "step": flow.isStepUp ? false : layout.text("reset.gate", ["step": String(view.step), "gates": String(view.gates)], context),
            "intro": flow.isStepUp ? layout.text("stepUp.intro", context) : false,
        ]
        switch flow.challenge {
        case nil:
            values["options"] = view.options.enumerated().map { index, option in
                ["value": option.option.rawValue, "checked": index == 0,
                 "label": layout.text("reset.option.\(option.option.rawValue)", ["destination": option.destination], context)]
            }
            // Someone whose only way in is a pass sees its form alone, open.
            values["hasOptions"] = !view.options.isEmpty
            values["passOpen"] = passOpen || view.options.isEmpty
            return try await layout.render("reset-options", titleKey: titleKey, values: values, context: context, status: status)
        case .confirmPhone(let option):
            values["prompt"] = layout.text("reset.phone.prompt", ["destination": view.destination], context)
            values["send"] = layout.text(option == .mobileSMS ? "reset.phone.text" : "reset.phone.call", context)
            return try await layout.render("reset-phone", titleKey: titleKey, values: values, context: context, status: status)
        case .code(let option, _, _):
            let key = option == .email ? "register.code.sentEmail" : (option == .mobileSMS ? "register.code.sentSMS" : "register.code.sentVoice")
            values["sent"] = layout.text(key, ["destination": view.destination], context)
            return try await layout.render("reset-code", titleKey: titleKey, values: values, context: context, status: status)
        case .questions(let drawn):
            values["questions"] = drawn.enumerated().map { index, question in
                ["index": index + 1, "id": question.identifier, "text": question.text(in: context.language)]
            }
            return try await layout.render("reset-questions", titleKey: titleKey, values: values, context: context, status: status)
        case .authenticatorCode:
            values["sent"] = layout.text("reset.authenticator.prompt", context)
            return try await layout.render("reset-code", titleKey: titleKey, values: values, context: context, status: status)
        case .recoveryCode:
            return try await layout.render("reset-recovery-code", titleKey: titleKey, values: values, context: context, status: status)
        case .passkey:
            // A new challenge for each showing: the one the last answer used is spent.
            values["options"] = try await service.passkeyOptions(for: flow).map(PasskeyForm.json) ?? ""
            return try await layout.render("reset-passkey", titleKey: titleKey, values: values, context: context, status: status)
        }
    }

    /// A step-up's gate is passed: the session holds the proof for ten minutes, and the registration portal opens.
    private func endStepUp(_ flow: ResetFlow, context: WebContext) async throws -> Response {
        var proof: StepUpProof?
        if let user = try await signedIn.user(context) { proof = try await service.proof(of: flow, by: user) }
        context.session?.update {
            $0.reset = nil
            if let proof { $0.stepUp = proof }
        }
        return PageRenderer.redirect(to: "/register")
    }

    @Sendable func chooseOption(_ request: Request, context: WebContext) async throws -> Response {
        try await withFlow(context) { flow in
            guard let option = VerificationOption(rawValue: context.form.text("option")) else { return try await gatePage(flow, context: context) }
            return try await show(try await service.choose(option, in: flow, language: context.language, clientAddress: client(request, context)), context: context)
        }
    }

    @Sendable func confirmPhone(_ request: Request, context: WebContext) async throws -> Response {
        try await withFlow(context) { flow in
            let typed = context.form.text("number")
            return try await show(try await service.confirmPhone(typed, in: flow, language: context.language, clientAddress: client(request, context)), context: context)
        }
    }

    @Sendable func checkCode(_ request: Request, context: WebContext) async throws -> Response {
        try await withFlow(context) { flow in
            return try await show(try await service.verifyCode(context.form.text("code"), in: flow), context: context)
        }
    }

    @Sendable func answerQuestions(_ request: Request, context: WebContext) async throws -> Response {
        try await withFlow(context) { flow in
            guard case .questions(let drawn) = flow.challenge else { return try await gatePage(flow, context: context) }
            let answers = Dictionary(uniqueKeysWithValues: drawn.enumerated().map { index, question in
                (question, context.form["answer\(index + 1)"] ?? "")
            })
            return try await show(try await service.answer(answers, in: flow), context: context)
        }
    }

    /// A temporary access pass, typed on the gate page: every gate at once (docs/behaviour.md#temporary-access-pass).
    @Sendable func redeemAccessPass(_ request: Request, context: WebContext) async throws -> Response {
        try await withFlow(context) { flow in
            let step = try await service.redeemAccessPass(context.form.text("pass"), in: flow)
            guard case .wrong(let flow, _, let view) = step else { return try await show(step, context: context) }
            return try await gatePage(flow, view: view, context: context, error: layout.text("reset.pass.wrong", context), passOpen: true)
        }
    }

    @Sendable func checkRecoveryCode(_ request: Request, context: WebContext) async throws -> Response {
        try await withFlow(context) { flow in
            try await show(try await service.useRecoveryCode(context.form.text("code"), in: flow), context: context)
        }
    }

    @Sendable func checkPasskey(_ request: Request, context: WebContext) async throws -> Response {
        try await withFlow(context) { flow in
            guard let assertion = PasskeyForm.assertion(context.form) else {
                return try await gatePage(flow, view: try await service.gateView(of: flow), context: context, error: layout.text("passkey.notAccepted", context))
            }
            return try await show(try await service.usePasskey(assertion, in: flow, requestID: context.requestID), context: context)
        }
    }

    /// Turns a gate's outcome into the next page, keeping the flow in the session.
    private func show(_ step: GateStep, context: WebContext) async throws -> Response {
        let keep = { (flow: ResetFlow) in context.session?.update { $0.reset = flow } }
        switch step {
        case .waiting(let flow), .passed(let flow, _):
            keep(flow)
            return PageRenderer.redirect(to: "/reset/verify")
        case .phoneRefused(let flow, let refusal):
            keep(flow)
            // The number is the user's own data, not a secret, but the reason is all an operator needs.
            context.logger.notice(
                "reset send refused by the phone rule", metadata: ["reason": "\(refusal.rawValue)", "support_code": "\(context.requestID)"])
            return PageRenderer.redirect(to: "/reset/verify")
        case .incorrectPhoneNumber(let flow, let view):
            return try await gatePage(flow, view: view, context: context, error: layout.text("reset.phone.incorrect", context))
        case .wrong(let flow, let left, let view):
            keep(flow)
            let message = switch (flow.challenge, left) {
            case (.questions?, _): layout.text("reset.questions.wrong", context)
            case (.recoveryCode?, _): layout.text("reset.recoveryCode.wrong", context)
            case (_, let left?): layout.text("code.wrong", ["count": String(left)], context)
            case (_, nil): layout.text("code.malformed", context)
            }
            return try await gatePage(flow, view: view, context: context, error: message)
        case .passkeyRefused(let flow, let refusal, let view):
            keep(flow)
            context.logger.notice("passkey refused at a gate", metadata: ["reason": "\(refusal)", "support_code": "\(context.requestID)"])
            return try await gatePage(flow, view: view, context: context, error: layout.text("passkey.notAccepted", context))
        case .authenticatorRefused(let flow, let view):
            keep(flow)
            return try await gatePage(flow, view: view, context: context, error: layout.text("code.authenticatorWrong", context))
        case .codeUnusable(let flow, let view):
            keep(flow)
            return try await gatePage(flow, view: view, context: context, error: layout.text("code.exhausted", context))
        case .deliveryFailed(let flow, let view):
            keep(flow)
            return try await gatePage(flow, view: view, context: context, error: layout.text("reset.deliveryFailed", context), deliveryFailed: true)
        case .sendRefused(let flow, let refusal, let view):
            keep(flow)
            let key = switch refusal {
            case .client: "throttle.client"
            case .daily: "throttle.daily"
            case .destination, .phone, .email: "throttle.destination"
            }
            return try await gatePage(flow, view: view, context: context, error: layout.text(key, context))
        case .blocked:
            return try await endBlocked(context)
        case .expired:
            context.session?.update { $0.reset = nil }
            return try await ending("reset.expired", context, contact: false)
        }
    }

    // MARK: New password or unlock

    @Sendable func passwordForm(_ request: Request, context: WebContext) async throws -> Response {
        try await withFlow(context) { flow in
            switch try await service.passwordChoice(for: flow, offeringUnlock: request.query["choose"] == nil) {
            case .gatesLeft: return PageRenderer.redirect(to: "/reset/verify")
            case .unlockOrNewPassword: return try await layout.render("reset-unlock", titleKey: "reset.unlock.title", context: context)
            case .newPassword: return try await passwordPage(context, errors: [])
            }
        }
    }

    private func passwordPage(_ context: WebContext, errors: [String]) async throws -> Response {
        try await layout.render("reset-password", titleKey: "reset.password.title", values: ["errors": errors, "error": !errors.isEmpty],
                               context: context, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func setPassword(_ request: Request, context: WebContext) async throws -> Response {
        try await withFlow(context) { flow in
            let password = context.form["new"] ?? ""
            guard password == context.form["confirm"] else { return try await passwordPage(context, errors: [layout.text("change.mismatch", context)]) }
            switch try await service.setPassword(password, in: flow, language: context.language, requestID: context.requestID) {
            case .done:
                context.session?.update { $0.reset = nil }
                return try await ending("reset.done", context, contact: false, signIn: true)
            case .rejected(let reasons) where reasons.isEmpty:
                return PageRenderer.redirect(to: "/reset/verify")
            case .rejected(let reasons):
                let rules = try await policies.policy().passwordRules.rules
                return try await passwordPage(context, errors: reasons.map { layout.text($0.message(rules: rules), context) })
            case .refusedByDirectory(let error) where error.isPasswordRefusal:
                return try await passwordPage(context, errors: [layout.text(error.message, context)])
            case .refusedByDirectory(let error):
                context.session?.update { $0.reset = nil }
                return try await ending("reset.writeback", context, contact: true, text: layout.text(error.message, context), status: .badGateway)
            case .expired:
                context.session?.update { $0.reset = nil }
                return try await ending("reset.expired", context, contact: false)
            case .blocked:
                return try await endBlocked(context)
            }
        }
    }

    /// A block met after the gates: the same ending as at a gate.
    private func endBlocked(_ context: WebContext) async throws -> Response {
        context.session?.update { $0.reset = nil }
        return try await ending("reset.blocked", context, contact: true, status: .tooManyRequests)
    }

    @Sendable func unlock(_ request: Request, context: WebContext) async throws -> Response {
        try await withFlow(context) { flow in
            switch try await service.unlock(flow, requestID: context.requestID) {
            case .done:
                context.session?.update { $0.reset = nil }
                return try await ending("reset.unlocked", context, contact: false, signIn: true)
            case .refusedByDirectory(let error):
                context.session?.update { $0.reset = nil }
                return try await ending("reset.writeback", context, contact: true, text: layout.text(error.message, context), status: .badGateway)
            case .rejected, .expired:
                return PageRenderer.redirect(to: "/reset/password?choose=password")
            case .blocked:
                return try await endBlocked(context)
            }
        }
    }

    // MARK: Endings

    @Sendable func cancel(_ request: Request, context: WebContext) async throws -> Response {
        if let flow = context.session?.session.reset {
            try await service.cancel(flow, requestID: context.requestID)
            context.session?.update { $0.reset = nil }
            if flow.isStepUp { return PageRenderer.redirect(to: "/register") }
        }
        return try await ending("reset.cancelled", context, contact: false)
    }

    /// Records the request and, unless the organisation has its own helpdesk link, emails the administrators.
    @Sendable func contact(_ request: Request, context: WebContext) async throws -> Response {
        try await answer(noSoonerThan: Self.floor) { try await contactUnpadded(request, context: context) }
    }

    private func contactUnpadded(_ request: Request, context: WebContext) async throws -> Response {
        if let flow = context.session?.session.reset {
            let option = flow.challenge?.option ?? flow.passed.last
            try await service.end(flow, detail: option.map(ResetDetail.contactedAdminAfterOption) ?? .contactedAdminBeforeOption, requestID: context.requestID)
        }
        if let typed = context.session?.session.contactUserID, try await policies.policy().helpdeskLink == nil {
            // A real user costs an email per administrator, up to 100, an unknown ID nothing: after the answer.
            let (service, supportCode, client, logger) = (service, context.requestID, client(request, context), context.logger)
            afterAnswering {
                do {
                    try await service.contactAdministrators(typedUserID: typed, supportCode: supportCode, clientAddress: client)
                } catch {
                    logger.error("contact request failed", metadata: ["error": "\(error)", "support_code": "\(supportCode)"])
                }
            }
        }
        context.session?.update {
            $0.reset = nil
            $0.contactUserID = nil
        }
        return try await ending("reset.contacted", context, contact: false)
    }

    /// A final page: a title, what happened (`key`'s text unless `text` says it), the support code, and the way on
    /// (the helpdesk link when configured).
    private func ending(
        _ key: String, _ context: WebContext, contact: Bool, signIn: Bool = false, text: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let helpdesk = try await policies.policy().helpdeskLink
        return try await layout.render("reset-message", titleKey: "\(key).title", values: [
            "heading": layout.text("\(key).title", context), "text": text ?? layout.text("\(key).text", context),
            // Asking Sesame to email the administrators is a post (it sends mail); the organisation's helpdesk is a link.
            "contactForm": contact && helpdesk == nil, "helpdesk": contact ? helpdesk.map { $0.href as Any } ?? false : false,
            "external": helpdesk.map { if case .url = $0 { true } else { false } } ?? false,
            "signIn": signIn,
        ], context: context, status: status)
    }

    private func client(_ request: Request, _ context: WebContext) -> String {
        context.clientAddress(request, trustedProxies: trustedProxies)
    }
}
