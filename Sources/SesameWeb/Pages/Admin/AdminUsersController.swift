import Foundation
import Hummingbird
import SesameCore

/// `/admin/users`: search, a user's registration state, pre-populated contact data, groups and roles, the
/// administrator's reset, unlock, "require re-registration" and temporary access pass, and bulk import from CSV with
/// a result per row.
/// Every action is checked against ``AdminAuthority`` and audited by ``UserAdministration``.
struct AdminUsersController {
    let layout: PageLayout
    let access: AdminAccess
    let administration: UserAdministration
    let accessPasses: AccessPassService
    let passkeys: PasskeyService
    let imports: UserImport
    /// Whether a user's account is locked, here or in the directory.
    let passwords: AccountPasswords
    /// The users listed, and their 24-hour block.
    let store: any Store
    let clock: any WallClock

    static let pageSize = 50
    /// A pasted CSV larger than this is refused before it is read.
    static let importLimit = 2_000_000

    var endpoints: RouteCollection<WebContext> {
        RouteCollection(context: WebContext.self)
            .get("admin/users", use: list)
            .get("admin/users/import", use: importForm)
            .get("admin/users/:userID", use: show)
            .post("admin/users/:userID", use: update)
            .post("admin/users/:userID/reset-password", use: resetPassword)
            .post("admin/users/:userID/unlock", use: unlock)
            .post("admin/users/:userID/require-registration", use: requireRegistration)
            .post("admin/users/:userID/access-pass", use: issueAccessPass)
            .post("admin/users/:userID/access-pass/revoke", use: revokeAccessPass)
            .post("admin/users/:userID/remove-authenticator", use: removeAuthenticator)
            .post("admin/users/:userID/void-recovery-codes", use: voidRecoveryCodes)
            .post("admin/users/:userID/remove-passkeys", use: removePasskeys)
            .post("admin/users/:userID/sign-out", use: endSessions)
    }

    /// The CSV import, larger than any other form, from those who may import: the CSV and room for the form around it.
    var largeBodyEndpoints: LargeBodyRoutes {
        LargeBodyRoutes(
            limit: BodyLimit(bytes: Self.importLimit + 64 * 1024, roles: [.globalAdmin, .userAdmin]),
            routes: RouteCollection(context: WebContext.self).post("admin/users/import", use: importUsers))
    }

    // MARK: List and search

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response {
        try await access.administrator(context) { admin in
            let search = request.query["search"]?.trimmingWhiteSpace() ?? ""
            // A cursor that cannot be read starts again at the first page.
            let after = request.query["after"].flatMap(UserCursor.init(text:))
            let page = try await store.users(UserQuery(search: search, after: after, limit: Self.pageSize))
            var base = URLComponents()
            base.queryItems = search.isEmpty ? [] : [URLQueryItem(name: "search", value: search)]
            var next = base
            next.queryItems = (base.queryItems ?? []) + [URLQueryItem(name: "after", value: page.next?.text)]
            return try await layout.render("admin-users", titleKey: "admin.users.title", values: [
                "admin": true, "search": search, "canImport": AdminAuthority.allows(admin, .importUsers),
                "users": page.users.map { user in [
                    "userID": user.userID, "link": Self.link(user), "displayName": user.displayName,
                    "roles": user.roles.sorted().map(\.rawValue).joined(separator: ", "),
                    "registered": layout.text(user.registration.isRegistered ? "admin.yes" : "admin.no", context),
                    "source": layout.text(user.source == .directory ? "admin.users.source.directory" : "admin.users.source.local", context),
                    "enabled": layout.text(user.enabled ? "admin.yes" : "admin.no", context),
                ] as [String: Any] },
                "empty": page.users.isEmpty,
                "first": after != nil ? "/admin/users" + (search.isEmpty ? "" : "?" + (base.percentEncodedQuery ?? "")) : false,
                "next": page.next != nil ? "/admin/users?" + (next.percentEncodedQuery ?? "") : false,
            ], context: context)
        }
    }

    static func link(_ user: User) -> String {
        "/admin/users/" + (user.userID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? user.userID)
    }

    // MARK: One user

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        try await withTarget(request, context, .view) { admin, user in
            try await detail(user, admin: admin, context: context, notice: AdminNotice.key(request.query["done"], in: "admin.users", known: AdminNotice.users))
        }
    }

    @Sendable func update(_ request: Request, context: WebContext) async throws -> Response {
        let form = context.form
        var roles = Set<Role>()
        for name in form.all("roles") { if let role = Role(rawValue: name) { roles.insert(role) } }
        return try await withTarget(request, context, .edit) { admin, user in
            guard AdminAuthority.allows(admin, .setRoles(roles), on: user) || roles == user.roles else {
                return try await detail(user, admin: admin, context: context, errors: [layout.text("admin.refused", context)], status: .forbidden)
            }
            let draft = UserDraft(
                userID: user.userID, displayName: form["displayName"], givenName: form["givenName"], surname: form["surname"],
                mobilePhone: form["mobilePhone"], officePhone: form["officePhone"], alternateEmail: form["alternateEmail"],
                groups: form["groups"].map { $0.split(separator: ",").map(String.init) }, roles: roles, enabled: form["enabled"] == "true")
            do {
                try await administration.update(draft, actor: admin.userID)
            } catch let error as ValidationError {
                return try await detail(user, admin: admin, context: context, errors: [fieldMessage(error, context)], submitted: form, status: .unprocessableContent)
            }
            return PageRenderer.redirect(to: Self.link(user) + "?done=saved")
        }
    }

    @Sendable func resetPassword(_ request: Request, context: WebContext) async throws -> Response {
        try await withTarget(request, context, .resetPassword) { admin, user in
            let password = context.form["new"] ?? ""
            guard password == context.form["confirm"] else {
                return try await detail(user, admin: admin, context: context, errors: [layout.text("change.mismatch", context)], status: .unprocessableContent)
            }
            do {
                try await administration.resetPassword(userID: user.userID, to: password, actor: admin.userID)
            } catch let error as ValidationError {
                return try await detail(user, admin: admin, context: context, errors: [fieldMessage(error, context)], status: .unprocessableContent)
            } catch let error as WritebackError {
                return try await detail(user, admin: admin, context: context, errors: [layout.text(error.message, context)], status: .unprocessableContent)
            }
            return PageRenderer.redirect(to: Self.link(user) + "?done=reset")
        }
    }

    @Sendable func unlock(_ request: Request, context: WebContext) async throws -> Response {
        try await withTarget(request, context, .unlock) { admin, user in
            do {
                try await administration.unlock(userID: user.userID, actor: admin.userID)
            } catch let error as WritebackError {
                return try await detail(user, admin: admin, context: context, errors: [layout.text(error.message, context)], status: .unprocessableContent)
            }
            return PageRenderer.redirect(to: Self.link(user) + "?done=unlocked")
        }
    }

    @Sendable func requireRegistration(_ request: Request, context: WebContext) async throws -> Response {
        try await act(request, context, .requireRegistration, done: "registration") { admin, user in
            try await administration.requireRegistration(userID: user.userID, actor: admin.userID)
        }
    }

    @Sendable func removeAuthenticator(_ request: Request, context: WebContext) async throws -> Response {
        try await act(request, context, .edit, done: "authenticator") { admin, user in
            try await administration.removeAuthenticator(userID: user.userID, actor: admin.userID)
        }
    }

    /// Issues a pass and shows it, once, on the user's page (docs/behaviour.md#temporary-access-pass).
    @Sendable func issueAccessPass(_ request: Request, context: WebContext) async throws -> Response {
        try await withTarget(request, context, .issueAccessPass) { admin, user in
            let form = context.form
            // Anything but whole numbers is out of bounds, and refused as such by the terms' check.
            let terms = AccessPassTerms(
                lifetime: TimeInterval(form["lifetime"].flatMap { Int($0) } ?? 0) * 60, length: form["length"].flatMap { Int($0) } ?? 0,
                singleUse: form["reusable"] != "true")
            do {
                let issued = try await accessPasses.issue(to: user.userID, terms: terms, authority: admin.roles, actor: admin.userID)
                return try await detail(user, admin: admin, context: context, issuedPass: issued)
            } catch let error as ValidationError {
                return try await detail(user, admin: admin, context: context, errors: [fieldMessage(error, context)], status: .unprocessableContent)
            }
        }
    }

    @Sendable func revokeAccessPass(_ request: Request, context: WebContext) async throws -> Response {
        try await act(request, context, .issueAccessPass, done: "passRevoked") { admin, user in
            try await accessPasses.revoke(for: user.userID, actor: admin.userID)
        }
    }

    /// Voids the user's recovery codes, for a lost sheet; who may ask a user to register again may do it.
    @Sendable func voidRecoveryCodes(_ request: Request, context: WebContext) async throws -> Response {
        try await act(request, context, .requireRegistration, done: "recoveryCodesVoided") { admin, user in
            try await administration.voidRecoveryCodes(userID: user.userID, actor: admin.userID, requestID: context.requestID)
        }
    }

    /// Removes every passkey of the user (a lost or stolen device, an account taken over), with the authority that
    /// voids recovery codes; the user's sessions end, since one of them may have been opened with one.
    @Sendable func removePasskeys(_ request: Request, context: WebContext) async throws -> Response {
        try await act(request, context, .requireRegistration, done: "passkeysRemoved") { admin, user in
            _ = try await passkeys.removeAll(of: user, by: admin.userID, requestID: context.requestID)
        }
    }

    @Sendable func endSessions(_ request: Request, context: WebContext) async throws -> Response {
        try await act(request, context, .endSessions, done: "signedOut") { admin, user in
            _ = try await administration.endSessions(userID: user.userID, actor: admin.userID)
        }
    }

    /// Does `action` to the user named in the path with `body`, then shows the user's page with the `done` notice.
    private func act(
        _ request: Request, _ context: WebContext, _ action: AdminAction, done: String, _ body: (User, User) async throws -> Void
    ) async throws -> Response {
        try await withTarget(request, context, action) { admin, user in
            try await body(admin, user)
            return PageRenderer.redirect(to: Self.link(user) + "?done=\(done)")
        }
    }

    /// Runs `body` when the signed-in administrator may do `action` to the user named in the path.
    private func withTarget(
        _ request: Request, _ context: WebContext, _ action: AdminAction, _ body: (User, User) async throws -> Response
    ) async throws -> Response {
        try await access.administrator(context) { admin in
            guard let userID = context.parameters.get("userID")?.removingPercentEncoding, let user = try await store.user(userID: userID) else {
                throw PageError.notFound
            }
            guard AdminAuthority.allows(admin, action, on: user) else {
                return try await layout.render("admin-refused", titleKey: "admin.title", values: ["admin": true], context: context, status: .forbidden)
            }
            return try await body(admin, user)
        }
    }

    private func fieldMessage(_ error: ValidationError, _ context: WebContext) -> String {
        let message = layout.text(error.message, context)
        guard let field = error.field else { return message }
        return layout.text("admin.users.fieldError", ["field": layout.text("admin.users.field.\(field)", context), "message": message], context)
    }

    private func detail(
        _ user: User, admin: User, context: WebContext, notice: String? = nil, errors: [String] = [], submitted: FormData? = nil,
        issuedPass: AccessPassService.Issued? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let now = clock.now
        let data = user.authentication
        let blockedUntil = try await store.throttleStates(ThrottleKind.resetBlocks.map { ThrottleKey($0, user.id.uuidString) }).values
            .filter { $0.isBlocked(at: now) }.compactMap(\.blockedUntil).max()
        let lockedHere = user.lockout.isLocked(at: now)
        // A directory user may be locked by the directory alone (wrong passwords typed elsewhere); asked live.
        let locked = await passwords.isLocked(user)
        func value(_ field: String, _ current: String?) -> String { submitted?[field] ?? current ?? "" }
        let pass = try await accessPasses.usablePass(of: user)
        let registered: [[String: String]] = [
            ("authenticationPhone", data.authenticationPhone?.e164), ("authenticationEmail", data.authenticationEmail?.value),
            ("securityQuestions", data.securityAnswers.isEmpty ? nil : String(data.securityAnswers.count)),
            ("authenticatorApp", data.sealedAuthenticatorSecret == nil ? nil : layout.text("admin.yes", context)),
            ("recoveryCodes", data.recoveryCodesLeft == 0 ? nil : String(data.recoveryCodesLeft)),
            ("passkeys", data.passkeyCount == 0 ? nil : String(data.passkeyCount)),
        ].compactMap { name, value in value.map { ["label": layout.text("admin.users.field.\(name)", context), "value": $0] } }
        return try await layout.render("admin-user", titleKey: "admin.users.title", values: [
            "admin": true, "userID": user.userID, "link": Self.link(user), "source": layout.text("admin.users.source.\(user.source.rawValue)", context),
            "notice": notice.map { layout.text($0, context) } ?? false, "errors": errors, "error": !errors.isEmpty,
            "displayName": value("displayName", user.displayName), "givenName": value("givenName", user.givenName),
            "surname": value("surname", user.surname), "mobilePhone": value("mobilePhone", data.mobilePhone?.e164),
            "officePhone": value("officePhone", data.officePhone?.e164), "alternateEmail": value("alternateEmail", data.alternateEmail?.value),
            "groups": value("groups", user.groups.sorted().joined(separator: ", ")), "enabled": user.enabled,
            "roles": Role.allCases.map { ["value": $0.rawValue, "label": layout.text("admin.role.\($0.rawValue)", context), "checked": user.roles.contains($0)] },
            "registered": registered, "nothingRegistered": registered.isEmpty,
            "registeredAt": user.registration.registeredAt.map(Self.timestamp) ?? layout.text("admin.users.never", context),
            "confirmedAt": user.registration.lastConfirmedAt.map(Self.timestamp) ?? layout.text("admin.users.never", context),
            "lockedUntil": lockedHere ? user.lockout.lockedUntil.map(Self.timestamp) ?? false : false, "lockedInDirectory": locked && !lockedHere,
            "throttledUntil": blockedUntil.map(Self.timestamp) ?? false,
            "canEdit": AdminAuthority.allows(admin, .edit, on: user),
            "canReset": AdminAuthority.allows(admin, .resetPassword, on: user),
            "canUnlock": locked && AdminAuthority.allows(admin, .unlock, on: user),
            "canEndSessions": AdminAuthority.allows(admin, .endSessions, on: user),
            "canRequire": AdminAuthority.allows(admin, .requireRegistration, on: user),
            "canRemoveAuthenticator": data.sealedAuthenticatorSecret != nil && AdminAuthority.allows(admin, .edit, on: user),
            "canIssuePass": AdminAuthority.allows(admin, .issueAccessPass, on: user), "hasPass": pass != nil,
            "passState": pass.map { layout.text($0.singleUse ? "admin.users.pass.singleUntil" : "admin.users.pass.reusableUntil", ["date": Self.timestamp($0.expiresAt)], context) }
                ?? layout.text("admin.users.pass.none", context),
            "issuedPass": issuedPass.map { ["pass": $0.pass, "until": Self.timestamp($0.expiresAt)] } ?? false,
            "canVoidRecoveryCodes": data.recoveryCodesLeft > 0 && AdminAuthority.allows(admin, .requireRegistration, on: user),
            "canRemovePasskeys": data.passkeyCount > 0 && AdminAuthority.allows(admin, .requireRegistration, on: user),
        ], context: context, status: status)
    }

    static func timestamp(_ date: Date) -> String { date.formatted(.iso8601) }

    // MARK: Import

    @Sendable func importForm(_ request: Request, context: WebContext) async throws -> Response {
        try await access.administrator(context, roles: [.globalAdmin, .userAdmin]) { _ in
            try await layout.render("admin-import", titleKey: "admin.import.title", values: ["admin": true], context: context)
        }
    }

    @Sendable func importUsers(_ request: Request, context: WebContext) async throws -> Response {
        try await access.administrator(context, roles: [.globalAdmin, .userAdmin]) { admin in
            let text = context.form["csv"] ?? ""
            guard text.utf8.count <= Self.importLimit else {
                return try await layout.render("admin-import", titleKey: "admin.import.title", values: [
                    "admin": true, "tooLarge": true,
                ], context: context, status: .contentTooLarge)
            }
            let outcomes: [UserImport.Outcome]
            do {
                outcomes = try await imports.run(text, by: .administrator(admin), actor: admin.userID)
            } catch let error as UserImportError {
                return try await layout.render("admin-import", titleKey: "admin.import.title", values: [
                    "admin": true, "refused": layout.text("admin.import.refused", ["reason": error.description], context),
                ], context: context, status: .unprocessableContent)
            }
            let rows: [[String: String]] = outcomes.map { outcome in
                switch outcome {
                case .created(let line, let userID): ["line": String(line), "result": layout.text("admin.import.created", context), "detail": userID]
                case .updated(let line, let userID): ["line": String(line), "result": layout.text("admin.import.updated", context), "detail": userID]
                case .failed(let line, let message): ["line": String(line), "result": layout.text("admin.import.failed", context), "detail": message]
                case .refused(let line, let reason): ["line": String(line), "result": layout.text("admin.import.failed", context), "detail": layout.text(reason, context)]
                }
            }
            let failed = outcomes.filter { !$0.isApplied }.count
            return try await layout.render("admin-import", titleKey: "admin.import.title", values: [
                "admin": true, "results": rows, "hasResults": !rows.isEmpty,
                "summary": layout.text("admin.import.summary", ["done": String(outcomes.count - failed), "failed": String(failed)], context),
            ], context: context, status: failed > 0 ? .unprocessableContent : .ok)
        }
    }
}
