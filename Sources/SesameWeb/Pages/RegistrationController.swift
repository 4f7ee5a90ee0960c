import Foundation
import Hummingbird
import Logging
import SesameCore
import Synchronization

/// The registration portal (docs/behaviour.md#registration-portal): each method the policy offers, "Set it up now", a
/// code by SMS, call or email, an authenticator app's key, "Verify", "Thanks", and "Finish" once the policy's minimum
/// is met.
struct RegistrationController {
    let layout: PageLayout
    let signedIn: SignedInUsers
    let policies: PolicyCache
    let trustedProxies: Set<String>
    /// Every rule of registration, throttles included; this controller keeps the forms, the session and the layout.
    let service: RegistrationService
    /// The gates of a step-up before a change of methods (docs/behaviour.md#step-up).
    let resets: ResetService
    let passkeys: PasskeyService

    var endpoints: RouteCollection<WebContext> {
        RouteCollection(context: WebContext.self)
            .get("register", use: overview)
            .post("register/finish", use: finish)
            .get("register/phone", use: phoneForm)
            .post("register/phone", use: sendPhoneCode)
            .get("register/email", use: emailForm)
            .post("register/email", use: sendEmailCode)
            .post("register/verify", use: verify)
            .get("register/questions", use: questionsForm)
            .post("register/questions", use: saveQuestions)
            .get("register/authenticator", use: authenticatorForm)
            .post("register/authenticator", use: confirmAuthenticator)
            .get("register/recovery-codes", use: recoveryCodesForm)
            .post("register/recovery-codes", use: generateRecoveryCodes)
            .post("register/recovery-codes/confirm", use: confirmRecoveryCodes)
            .get("register/passkey", use: passkeysForm)
            .post("register/passkey", use: addPasskey)
            .post("register/passkey/remove", use: removePasskey)
    }

    /// Runs `body` for the signed-in user when they may register, with their policy and their rules; otherwise
    /// sends them to sign in, or tells them their administrator has not enabled them. A page that changes a method
    /// (`changing`) first asks for a step-up when the session has no recent one (docs/behaviour.md#step-up).
    private func withRegistrant(
        _ request: Request, _ context: WebContext, changing: Bool = true, _ body: (User, Policy, EffectivePolicy) async throws -> Response
    ) async throws -> Response {
        guard let user = try await signedIn.user(context) else { return PageRenderer.redirect(to: "/signin") }
        let policy = try await policies.policy()
        guard policy.eligibility(of: user) == .eligible else {
            return try await layout.render("not-enabled", titleKey: "register.title", context: context, status: .forbidden)
        }
        let effective = policy.effective(for: user)
        guard changing else { return try await body(user, policy, effective) }
        let session = context.session?.session
        switch try await resets.stepUp(
            for: user, proof: session?.stepUp, clientAddress: client(request, context), passkeySignIn: session?.passkeySignIn == true
        ) {
        case .notNeeded(let passwordOnly):
            if let passwordOnly { context.session?.update { $0.stepUp = passwordOnly } }
            return try await body(user, policy, effective)
        case .verify(let flow):
            try await beginStepUp(flow, context: context)
            return PageRenderer.redirect(to: "/reset/verify")
        case .blocked:
            return try await overviewPage(user, effective, context: context, error: layout.text("stepUp.blocked", context), status: .tooManyRequests)
        case .passwordNeeded:
            return try await overviewPage(user, effective, context: context, error: layout.text("stepUp.passwordNeeded", context), status: .forbidden)
        }
    }

    /// Puts the step-up's flow in the session, unless one of this user's is under way; a reset left there is
    /// recorded as abandoned, as when a new reset starts.
    private func beginStepUp(_ flow: ResetFlow, context: WebContext) async throws {
        if let current = context.session?.session.reset {
            if current.isStepUp, current.userID == flow.userID { return }
            try await resets.abandon(current, requestID: context.requestID)
        }
        context.session?.update { $0.reset = flow }
    }

    /// As ``withRegistrant(_:_:changing:_:)``, for the pages of one method: a method the policy does not offer leads back to the
    /// overview.
    func withMethod(
        _ method: AuthenticationMethod, _ request: Request, _ context: WebContext, _ body: (User, Policy, EffectivePolicy) async throws -> Response
    ) async throws -> Response {
        try await withRegistrant(request, context) { user, policy, effective in
            guard effective.methods.contains(method) else { return PageRenderer.redirect(to: "/register") }
            return try await body(user, policy, effective)
        }
    }

    /// The passkey pages: open while the policy offers passkeys, and, so that a user can still remove theirs, while
    /// they have any.
    func withPasskeys(
        _ request: Request, _ context: WebContext, _ body: (User, Policy, EffectivePolicy) async throws -> Response
    ) async throws -> Response {
        try await withRegistrant(request, context) { user, policy, effective in
            guard effective.methods.contains(.passkey) || user.authentication.passkeyCount > 0 else { return PageRenderer.redirect(to: "/register") }
            return try await body(user, policy, effective)
        }
    }

    // MARK: Overview and finish

    @Sendable func overview(_ request: Request, context: WebContext) async throws -> Response {
        try await withRegistrant(request, context, changing: false) { user, _, effective in try await overviewPage(user, effective, context: context) }
    }

    private func overviewPage(
        _ user: User, _ effective: EffectivePolicy, context: WebContext, error: String? = nil, status: HTTPResponse.Status = .unprocessableContent
    ) async throws -> Response {
        let data = user.authentication
        var methods: [[String: Any]] = []
        if effective.methods.contains(.mobilePhone) {
            methods.append(section(
                "register.phone.heading", link: "/register/phone", verified: data.authenticationPhone?.masked,
                prepopulated: data.mobilePhone?.masked, context: context))
        }
        if effective.methods.contains(.email) {
            methods.append(section(
                "register.email.heading", link: "/register/email", verified: data.authenticationEmail?.masked,
                prepopulated: data.alternateEmail?.masked, context: context))
        }
        if effective.methods.contains(.securityQuestions) {
            let count = data.securityAnswers.count
            methods.append(section(
                "register.questions.heading", link: "/register/questions",
                verified: count >= effective.questionsToRegister ? layout.text("register.questionsDone", ["count": String(count)], context) : nil,
                prepopulated: nil, context: context, masked: false))
        }
        if effective.methods.contains(.authenticatorApp) {
            methods.append(section(
                "register.authenticator.heading", link: "/register/authenticator",
                verified: data.sealedAuthenticatorSecret == nil ? nil : layout.text("register.authenticator.done", context),
                prepopulated: nil, context: context, masked: false))
        }
        if effective.methods.contains(.recoveryCodes) {
            methods.append(section(
                "register.recoveryCodes.heading", link: "/register/recovery-codes",
                verified: data.recoveryCodesLeft > 0 ? layout.text("register.recoveryCodes.left", ["count": String(data.recoveryCodesLeft)], context) : nil,
                prepopulated: nil, context: context, masked: false))
        }
        if effective.methods.contains(.passkey) || data.passkeyCount > 0 {
            methods.append(section(
                "register.passkey.heading", link: "/register/passkey",
                verified: data.passkeyCount > 0 ? layout.text("register.passkey.count", ["count": String(data.passkeyCount)], context) : nil,
                prepopulated: nil, context: context, masked: false))
        }
        if effective.methods.contains(.officePhone), let office = data.officePhone {
            methods.append(["heading": layout.text("register.office.heading", context), "state": layout.text("register.office.note", ["value": office.masked], context), "done": true, "link": false])
        }
        return try await layout.render("register", titleKey: "register.title", values: [
            "intro": layout.text("register.intro", ["count": String(effective.methodsRequired)], context),
            "methods": methods,
            "backupNote": effective.methods.count > 1,
            "nonPhoneNote": effective.lacksNonPhoneMethod(effective.usableMethods(of: data)),
            "canFinish": effective.isSatisfied(by: data),
            "recoveryCodesLow": recoveryCodesLow(user, effective, context: context),
            "error": error ?? false,
        ], context: context, status: error == nil ? .ok : status)
    }

    private func section(
        _ headingKey: String, link: String, verified: String?, prepopulated: String?, context: WebContext, masked: Bool = true
    ) -> [String: Any] {
        let state: String
        if let verified {
            state = masked ? layout.text("register.verified", ["value": verified], context) : verified
        } else if let prepopulated {
            state = layout.text("register.prepopulated", ["value": prepopulated], context)
        } else {
            state = layout.text("register.notSet", context)
        }
        return [
            "heading": layout.text(headingKey, context), "state": state, "done": verified != nil, "link": link,
            "button": layout.text(verified == nil ? "register.setUp" : "register.change", context),
        ]
    }

    @Sendable func finish(_ request: Request, context: WebContext) async throws -> Response {
        try await withRegistrant(request, context, changing: false) { user, _, effective in
            switch try await service.confirm(for: user, requestID: context.requestID) {
            case .confirmed:
                return PageRenderer.redirect(to: "/account")
            case .needsMore(let methods):
                return try await overviewPage(user, effective, context: context, error: layout.text("register.needMore", ["count": String(methods)], context))
            }
        }
    }

    // MARK: Phone

    @Sendable func phoneForm(_ request: Request, context: WebContext) async throws -> Response {
        try await withMethod(.mobilePhone, request, context) { user, policy, _ in
            let phone = user.authentication.authenticationPhone ?? user.authentication.mobilePhone
            return try await phonePage(policy, context: context, callingCode: phone?.callingCode, region: nil, number: phone?.nationalNumber ?? "", error: nil)
        }
    }

    /// The country the phone menu starts on when the user has no number yet: where most readers of the page's
    /// language live.
    static let homeRegions: [Language: String] = [
        .arabic: "SA", .bulgarian: "BG", .catalan: "ES", .czech: "CZ", .danish: "DK", .german: "DE", .greek: "GR", .english: "US",
        .spanish: "ES", .estonian: "EE", .basque: "ES", .finnish: "FI", .french: "FR", .galician: "ES", .hebrew: "IL", .hindi: "IN",
        .croatian: "HR", .hungarian: "HU", .indonesian: "ID", .italian: "IT", .japanese: "JP", .kazakh: "KZ", .korean: "KR",
        .lithuanian: "LT", .latvian: "LV", .malay: "MY", .norwegianBokmal: "NO", .dutch: "NL", .polish: "PL", .portuguese: "PT",
        .brazilianPortuguese: "BR", .romanian: "RO", .russian: "RU", .slovak: "SK", .slovenian: "SI", .serbianLatin: "RS",
        .swedish: "SE", .thai: "TH", .turkish: "TR", .ukrainian: "UA", .vietnamese: "VN", .simplifiedChinese: "CN", .traditionalChinese: "TW",
    ]

    /// The countries sorted by their names in `language`, once per language: a comparison in a locale's order
    /// costs a Foundation locale each time, and sorting the 245 names that way for every phone page took most of
    /// its processor time (README.md#performance).
    private static let countriesByName = Mutex<[Language: [NumberingPlan]]>([:])

    static func countries(in language: Language) -> [NumberingPlan] {
        if let sorted = countriesByName.withLock({ $0[language] }) { return sorted }
        let locale = Locale(identifier: language.rawValue)
        let sorted = NumberingPlan.regions.map { ($0, $0.name(in: language)) }
            .sorted { $0.1.compare($1.1, locale: locale) == .orderedAscending }.map(\.0)
        countriesByName.withLock { $0[language] = sorted }
        return sorted
    }

    private func phonePage(
        _ policy: Policy, context: WebContext, callingCode: Int?, region: String?, number: String, error: String?
    ) async throws -> Response {
        let language = context.language
        let selectedRegion = region ?? callingCode.flatMap { code in NumberingPlan.regions.first { $0.callingCode == code }?.region }
            ?? Self.homeRegions[language] ?? "US"
        let countries = Self.countries(in: language)
            .filter { policy.allowedCountryCodes?.contains($0.callingCode) ?? true }
            .map { plan -> [String: Any] in
                // The calling code isolated left to right, so that "(+33)" keeps its order in Arabic and Hebrew.
                ["region": plan.region, "label": "\(plan.name(in: language)) (\u{2066}+\(plan.callingCode)\u{2069})", "selected": plan.region == selectedRegion]
            }
        return try await layout.render("register-phone", titleKey: "register.phone.heading", values: [
            "countries": countries, "number": number, "error": error ?? false,
        ], context: context, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func sendPhoneCode(_ request: Request, context: WebContext) async throws -> Response {
        try await withMethod(.mobilePhone, request, context) { user, policy, _ in
            let region = context.form.text("country")
            let number = context.form.text("number")
            let channel: PhoneChannel = context.form["channel"] == "voice" ? .voice : .sms
            let retry = { (error: String) in
                try await phonePage(policy, context: context, callingCode: nil, region: region, number: number, error: error)
            }
            let sent = try await service.sendCode(
                toRegion: region, number: number, channel: channel, for: user, language: context.language, client: client(request, context))
            return try await codeSent(sent, context: context, retry: retry)
        }
    }

    // MARK: Email

    @Sendable func emailForm(_ request: Request, context: WebContext) async throws -> Response {
        try await withMethod(.email, request, context) { user, _, _ in
            let address = user.authentication.authenticationEmail ?? user.authentication.alternateEmail
            return try await emailPage(address: address?.value ?? "", error: nil, context: context)
        }
    }

    private func emailPage(address: String, error: String?, context: WebContext) async throws -> Response {
        try await layout.render("register-email", titleKey: "register.email.heading", values: ["address": address, "error": error ?? false],
                               context: context, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func sendEmailCode(_ request: Request, context: WebContext) async throws -> Response {
        try await withMethod(.email, request, context) { user, _, _ in
            let typed = context.form.text("address")
            let retry = { (error: String) in try await emailPage(address: typed, error: error, context: context) }
            let sent = try await service.sendCode(toAddress: typed, for: user, language: context.language, client: client(request, context))
            return try await codeSent(sent, context: context, retry: retry)
        }
    }

    // MARK: Codes

    private func client(_ request: Request, _ context: WebContext) -> String {
        context.clientAddress(request, trustedProxies: trustedProxies)
    }

    /// The code page once a code is on its way, kept in the session; otherwise the form again with the reason.
    private func codeSent(_ sent: RegistrationSend, context: WebContext, retry: (String) async throws -> Response) async throws -> Response {
        switch sent {
        case .sent(let pending):
            context.session?.update { $0.pendingCode = pending }
            return try await codePage(channel: pending.channel, shown: pending.shown, error: nil, startOver: false, context: context)
        case .invalid(let message):
            return try await retry(layout.text(message, context))
        case .phoneRefused(let message):
            context.logger.notice("phone number refused by the phone rule", metadata: ["reason": "\(message.key)", "support_code": "\(context.requestID)"])
            return try await retry(layout.text(message, context))
        case .refused(let refusal):
            let key = switch refusal {
            case .client: "throttle.client"
            case .phone: "throttle.phone"
            case .email: "throttle.email"
            case .daily: "throttle.daily"
            case .destination: "throttle.destination"
            }
            return try await retry(layout.text(key, context))
        case .deliveryFailed(let channel, let reason):
            context.logger.error("code delivery failed", metadata: ["channel": "\(channel.rawValue)", "error": "\(reason)", "support_code": "\(context.requestID)"])
            return try await retry(layout.text("delivery.failed", context))
        }
    }

    private func codePage(channel: CodeChannel, shown: String, error: String?, startOver: Bool, context: WebContext) async throws -> Response {
        let sentKey = switch channel {
        case .sms: "register.code.sentSMS"
        case .voice: "register.code.sentVoice"
        case .email: "register.code.sentEmail"
        }
        return try await layout.render("register-code", titleKey: "register.code.label", values: [
            "sent": layout.text(sentKey, ["destination": shown], context), "error": error ?? false,
            "startOver": startOver ? (channel == .email ? "/register/email" : "/register/phone") : false,
        ], context: context, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func verify(_ request: Request, context: WebContext) async throws -> Response {
        try await withRegistrant(request, context) { user, _, _ in
            guard let pending = context.session?.session.pendingCode else { return PageRenderer.redirect(to: "/register") }
            let again = { (key: String, arguments: [String: String], startOver: Bool) in
                try await codePage(channel: pending.channel, shown: pending.shown, error: layout.text(key, arguments, context), startOver: startOver, context: context)
            }
            switch try await service.confirmCode(context.form.text("code"), for: pending, user: user, language: context.language) {
            case .saved: break
            case .notAccepted(.wrong(let left)) where left > 0: return try await again("code.wrong", ["count": String(left)], false)
            case .notAccepted(.wrong), .notAccepted(.exhausted): return try await again("code.exhausted", [:], true)
            case .notAccepted(.malformed): return try await again("code.malformed", [:], false)
            case .notAccepted(.expired): return try await again("code.expired", [:], true)
            case .notAccepted: return try await again("code.alreadyUsed", [:], true)
            }
            context.session?.update { $0.pendingCode = nil }
            return try await layout.render("register-thanks", titleKey: "register.thanks", context: context)
        }
    }

    // MARK: Security questions

    @Sendable func questionsForm(_ request: Request, context: WebContext) async throws -> Response {
        try await withMethod(.securityQuestions, request, context) { _, policy, effective in
            return try await questionsPage(policy, effective, chosen: [:], error: nil, context: context)
        }
    }

    private func questionsPage(
        _ policy: Policy, _ effective: EffectivePolicy, chosen: [Int: String], error: String?, context: WebContext
    ) async throws -> Response {
        let offered = policy.availableQuestions
        let slots = (1...effective.questionsToRegister).map { slot -> [String: Any] in
            [
                "slot": slot,
                "options": offered.map { question in
                    ["id": question.identifier, "text": question.text(in: context.language), "selected": chosen[slot] == question.identifier]
                },
            ]
        }
        return try await layout.render("register-questions", titleKey: "register.questions.heading", values: [
            "intro": layout.text("register.questions.intro", ["count": String(effective.questionsToRegister)], context),
            "slots": slots, "error": error ?? false,
        ], context: context, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func saveQuestions(_ request: Request, context: WebContext) async throws -> Response {
        try await withMethod(.securityQuestions, request, context) { user, policy, effective in
            let slots = 1...effective.questionsToRegister
            let chosen = Dictionary(uniqueKeysWithValues: slots.map { ($0, context.form.text("question\($0)")) })
            var answers: [(question: SecurityQuestion, answer: String)] = []
            for slot in slots {
                guard let question = SecurityQuestion(identifier: chosen[slot] ?? "") else {
                    return try await questionsPage(policy, effective, chosen: chosen, error: layout.text("questions.tooFew", ["count": String(slots.count)], context), context: context)
                }
                answers.append((question, context.form["answer\(slot)"] ?? ""))
            }
            switch try await service.saveQuestions(answers, for: user) {
            case .saved:
                return try await layout.render("register-thanks", titleKey: "register.thanks", context: context)
            case .refused(let message):
                return try await questionsPage(policy, effective, chosen: chosen, error: layout.text(message, context), context: context)
            }
        }
    }

    // MARK: Authenticator app

    /// A new key each time the page is opened: the QR code and the key to type, and the form for its first code.
    @Sendable func authenticatorForm(_ request: Request, context: WebContext) async throws -> Response {
        try await withMethod(.authenticatorApp, request, context) { user, _, _ in
            let enrolment = try await service.newAuthenticator(for: user)
            context.session?.update { $0.pendingAuthenticator = enrolment.sealedForSession }
            return try await authenticatorPage(enrolment, error: nil, context: context)
        }
    }

    private func authenticatorPage(_ enrolment: AuthenticatorEnrolment, error: String?, context: WebContext) async throws -> Response {
        try await layout.render("register-authenticator", titleKey: "register.authenticator.heading", values: [
            "qr": QRCodeSVG.svg(for: enrolment.uri, title: layout.text("register.authenticator.qrLabel", context)) ?? "",
            "key": enrolment.secret.grouped, "error": error ?? false,
        ], context: context, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func confirmAuthenticator(_ request: Request, context: WebContext) async throws -> Response {
        try await withMethod(.authenticatorApp, request, context) { user, _, _ in
            guard let sealed = context.session?.session.pendingAuthenticator,
                let enrolment = try await service.pendingAuthenticator(sealed, for: user)
            else { return PageRenderer.redirect(to: "/register/authenticator") }
            switch try await service.confirmAuthenticator(context.form.text("code"), for: enrolment, user: user) {
            case .accepted:
                context.session?.update { $0.pendingAuthenticator = nil }
                return try await layout.render("register-thanks", titleKey: "register.thanks", context: context)
            case .malformed:
                return try await authenticatorPage(enrolment, error: layout.text("code.malformed", context), context: context)
            case .wrong, .reused:
                return try await authenticatorPage(enrolment, error: layout.text("code.authenticatorWrong", context), context: context)
            }
        }
    }
}
