import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Synchronization
import Testing

@testable import SesameWeb

/// Every admin route and API operation, tried by every kind of caller on every kind of user, against one table of
/// who may do what to whom. The table is written from the rules as README and docs/behaviour.md#administration state
/// them (Entra's scoping), not read from `AdminAuthority`, so that a route which forgets to ask — as the CSV import
/// once did — fails.
@Suite struct AdminAuthorityTableTests {
    /// Who calls. `token` holds an API bearer token (from `sesame token create`) and no session.
    enum Caller: String, CaseIterable, Sendable {
        case global, user, helpdesk, password, plain, nobody, token

        var roles: Set<Role> {
            switch self {
            case .global: [.globalAdmin]
            case .user: [.userAdmin]
            case .helpdesk: [.helpdeskAdmin]
            case .password: [.passwordAdmin]
            case .plain, .nobody, .token: []
            }
        }
    }

    /// The role the user acted on holds; `itself` is the caller's own account.
    enum Target: String, CaseIterable, Sendable {
        case itself, plain, global, user, helpdesk, password
    }

    /// What a route does, as the rules speak of it.
    enum Right: Sendable {
        /// See the admin pages, users, the policy, branding and reports.
        case look
        /// Change the policy and the branding.
        case settings
        /// Reset the password, unlock, or sign out everywhere.
        case resetOrUnlock
        case requireRegistration
        /// Names, contact data, groups, enabled.
        case edit
        /// Give a role other than global administrator.
        case grantRole
        case grantGlobalAdmin
        /// Open the import page and create users from a CSV.
        case importUsers
        /// Issue or revoke a temporary access pass.
        case accessPass
        /// Any JSON API operation.
        case api
    }

    /// The kind of role a user holds, for the table's columns.
    enum Holder: Sendable, Hashable { case none, global, user, helpdesk, password }

    static let everyone: Set<Holder> = [.none, .global, .user, .helpdesk, .password]

    /// THE RULES. Global administrators do anything to anyone. User administrators manage everyone but global
    /// administrators, never grant that role, and leave the policy and branding alone. Password administrators reset
    /// and unlock users, helpdesk and password administrators, and may ask them to register again. Helpdesk
    /// administrators reset and unlock users and helpdesk administrators. Every administrator but a global one issues
    /// temporary access passes for users without a role only. Every administrator may look. A plain user
    /// and someone signed out may do nothing; the API is for bearer tokens alone, whose holder (the server's
    /// operator) may do anything there and nothing in the portal.
    static let rules: [Caller: [Right: Set<Holder>]] = [
        .global: [
            .look: everyone, .settings: everyone, .resetOrUnlock: everyone, .requireRegistration: everyone, .edit: everyone,
            .grantRole: everyone, .grantGlobalAdmin: everyone, .importUsers: everyone, .accessPass: everyone,
        ],
        .user: [
            .look: everyone, .resetOrUnlock: everyone.subtracting([.global]), .requireRegistration: everyone.subtracting([.global]),
            .edit: everyone.subtracting([.global]), .grantRole: everyone.subtracting([.global]), .importUsers: everyone.subtracting([.global]),
            .accessPass: [.none],
        ],
        .password: [
            .look: everyone, .resetOrUnlock: [.none, .helpdesk, .password], .requireRegistration: [.none, .helpdesk, .password], .accessPass: [.none],
        ],
        .helpdesk: [.look: everyone, .resetOrUnlock: [.none, .helpdesk], .accessPass: [.none]],
        .plain: [:],
        .nobody: [:],
        .token: [.api: everyone],
    ]

    static func expected(_ caller: Caller, _ right: Right, on holder: Holder) -> Bool {
        rules[caller]?[right]?.contains(holder) ?? false
    }

    /// The right each action of `AdminAction.allCases` needs in the rules above. The authorization matrix of
    /// docs/security.md is rendered from that same list (`SecurityDocsTests`); the switch has no default, so a new
    /// action does not compile until it is placed in the rules.
    static func right(of action: AdminAction) -> Right {
        switch action {
        case .view: .look
        case .resetPassword, .unlock, .endSessions: .resetOrUnlock
        case .requireRegistration: .requireRegistration
        case .edit, .delete: .edit
        case .setRoles(let roles): roles.contains(.globalAdmin) ? .grantGlobalAdmin : .grantRole
        case .importUsers: .importUsers
        case .issueAccessPass: .accessPass
        }
    }

    static func roles(of holder: Holder) -> Set<Role> {
        switch holder {
        case .none: []
        case .global: [.globalAdmin]
        case .user: [.userAdmin]
        case .helpdesk: [.helpdeskAdmin]
        case .password: [.passwordAdmin]
        }
    }

    /// `AdminAuthority`, whose answers docs/security.md's matrix shows, gives the rules' answer for every action, every
    /// role and every kind of target, and a route of the table below tries each action's right.
    @Test func everyActionFollowsTheRulesAndIsTriedByARoute() {
        for action in AdminAction.allCases {
            let right = Self.right(of: action)
            #expect(Self.operations.contains { $0.right == right }, "no route tries \(action)")
            for caller in [Caller.global, .user, .helpdesk, .password, .plain] {
                for holder in Self.everyone {
                    let target = User(userID: "target@contoso.com", roles: Self.roles(of: holder), createdAt: Date(timeIntervalSince1970: 0))
                    #expect(
                        AdminAuthority.allows(caller.roles, action, on: target) == Self.expected(caller, right, on: holder),
                        "\(caller.rawValue) \(action) on \(holder)")
                }
            }
        }
    }

    /// Whom a case acts on, and the caller's bearer token (empty for a caller without one).
    struct Subject: Sendable {
        let userID: String
        let roles: Set<Role>
        let token: String

        /// The target's roles as the edit form posts them (one checked box each), plus `extra`.
        func roleFields(adding extra: Role? = nil) -> [(String, String)] {
            roles.union(extra.map { [$0] } ?? []).sorted().map { ("roles", $0.rawValue) }
        }

        var path: String { userID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? userID }
    }

    /// One route or operation: what it needs, whether it acts on a user, and how to call it.
    struct Operation: Sendable {
        let name: String
        let right: Right
        /// Acts on a user: the case is tried on every target, and the user must stay untouched when refused.
        let targeted: Bool
        /// An allowed call must change the user (not said of a look).
        let changes: Bool
        /// A CSV row in the portal: the page answers for the file, the user's record for the row.
        let portalImportRow: Bool
        /// Targets this case means nothing for (granting a role the user already holds).
        let skip: Set<Holder>
        let call: @Sendable (Browser, Subject) async throws -> Page

        init(_ name: String, _ right: Right, targeted: Bool = false, changes: Bool = false, portalImportRow: Bool = false,
             skip: Set<Holder> = [], _ call: @escaping @Sendable (Browser, Subject) async throws -> Page) {
            self.name = name
            self.right = right
            self.targeted = targeted
            self.changes = changes
            self.portalImportRow = portalImportRow
            self.skip = skip
            self.call = call
        }
    }

    static func importRow(_ name: String, _ right: Right, skip: Set<Holder> = [], _ csv: String) -> Operation {
        Operation("import row: \(name)", right, targeted: true, changes: true, portalImportRow: true, skip: skip) { browser, subject in
            try await browser.post("/admin/users/import", [("csv", csv.replacingOccurrences(of: "TARGET", with: subject.userID))])
        }
    }

    static func api(
        _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil
    ) -> @Sendable (Browser, Subject) async throws -> Page {
        { browser, subject in
            var headers: HTTPFields = [.contentType: path.hasSuffix("/import") ? "text/csv" : "application/json"]
            if !subject.token.isEmpty { headers[.authorization] = "Bearer \(subject.token)" }
            let uri = "/api/v1" + path.replacingOccurrences(of: "TARGET", with: subject.path)
            return try await browser.send(uri, method: method, headers: headers, body: body?.replacingOccurrences(of: "TARGET", with: subject.userID))
        }
    }

    static let newPassword = "Yt7$Mx3!Ps9j"

    static let operations: [Operation] = [
        // `/admin` only points at the policy page, which decides; the redirect is followed as a browser would.
        Operation("GET /admin", .look) { browser, _ in
            let home = try await browser.get("/admin")
            guard home.location == "/admin/policy" else { return home }
            return try await browser.get("/admin/policy")
        },
        Operation("GET /admin/users", .look) { browser, _ in try await browser.get("/admin/users") },
        Operation("GET /admin/policy", .look) { browser, _ in try await browser.get("/admin/policy") },
        Operation("POST /admin/policy", .settings) { browser, _ in try await browser.post("/admin/policy", [("methodsRequired", "1")]) },
        Operation("GET /admin/branding", .look) { browser, _ in try await browser.get("/admin/branding") },
        Operation("POST /admin/branding", .settings) { browser, _ in try await browser.post("/admin/branding", [("organisationName", "Fabrikam")]) },
        Operation("POST /admin/branding/logo", .settings) { browser, _ in try await browser.post("/admin/branding/logo", [("logo", "not an image")]) },
        Operation("POST /admin/branding/logo/remove", .settings) { browser, _ in try await browser.post("/admin/branding/logo/remove", []) },
        Operation("GET /admin/reports/resets", .look) { browser, _ in try await browser.get("/admin/reports/resets") },
        Operation("GET /admin/reports/registrations", .look) { browser, _ in try await browser.get("/admin/reports/registrations") },
        Operation("GET /admin/audit", .look) { browser, _ in try await browser.get("/admin/audit") },
        Operation("GET /admin/users/import", .importUsers) { browser, _ in try await browser.get("/admin/users/import") },
        Operation("POST /admin/users/import (a new user)", .importUsers) { browser, _ in
            try await browser.post("/admin/users/import", [("csv", "userID,displayName\nnewcomer-\(UUID())@contoso.com,New\n")])
        },
        Operation("GET /admin/users/{user}", .look, targeted: true) { browser, subject in try await browser.get("/admin/users/" + subject.path) },
        Operation("POST /admin/users/{user} (contact data)", .edit, targeted: true, changes: true) { browser, subject in
            try await browser.post("/admin/users/" + subject.path, [("alternateEmail", "attacker@example.org"), ("enabled", "true")] + subject.roleFields())
        },
        Operation("POST /admin/users/{user} (disable)", .edit, targeted: true, changes: true) { browser, subject in
            try await browser.post("/admin/users/" + subject.path, subject.roleFields())
        },
        Operation("POST /admin/users/{user} (grant helpdesk administrator)", .grantRole, targeted: true, changes: true, skip: [.helpdesk]) { browser, subject in
            try await browser.post("/admin/users/" + subject.path, [("enabled", "true")] + subject.roleFields(adding: .helpdeskAdmin))
        },
        Operation("POST /admin/users/{user} (grant global administrator)", .grantGlobalAdmin, targeted: true, changes: true, skip: [.global]) { browser, subject in
            try await browser.post("/admin/users/" + subject.path, [("enabled", "true")] + subject.roleFields(adding: .globalAdmin))
        },
        Operation("POST /admin/users/{user}/reset-password", .resetOrUnlock, targeted: true, changes: true) { browser, subject in
            try await browser.post("/admin/users/" + subject.path + "/reset-password", [("new", newPassword), ("confirm", newPassword)])
        },
        Operation("POST /admin/users/{user}/unlock", .resetOrUnlock, targeted: true, changes: true) { browser, subject in
            try await browser.post("/admin/users/" + subject.path + "/unlock", [])
        },
        Operation("POST /admin/users/{user}/sign-out", .resetOrUnlock, targeted: true, changes: true) { browser, subject in
            try await browser.post("/admin/users/" + subject.path + "/sign-out", [])
        },
        Operation("POST /admin/users/{user}/require-registration", .requireRegistration, targeted: true, changes: true) { browser, subject in
            try await browser.post("/admin/users/" + subject.path + "/require-registration", [])
        },
        Operation("POST /admin/users/{user}/access-pass", .accessPass, targeted: true, changes: true) { browser, subject in
            try await browser.post("/admin/users/" + subject.path + "/access-pass", [("lifetime", "60"), ("length", "12"), ("singleUse", "true")])
        },
        Operation("POST /admin/users/{user}/access-pass/revoke", .accessPass, targeted: true, changes: true) { browser, subject in
            try await browser.post("/admin/users/" + subject.path + "/access-pass/revoke", [])
        },
        importRow("contact data", .edit, "userID,alternateEmail,mobilePhone\nTARGET,attacker@example.org,+33 6 99 88 77 66\n"),
        importRow("disable", .edit, "userID,enabled\nTARGET,false\n"),
        importRow("grant helpdesk administrator", .grantRole, skip: [.helpdesk], "userID,roles\nTARGET,helpdeskAdmin\n"),
        importRow("grant global administrator", .grantGlobalAdmin, skip: [.global], "userID,roles\nTARGET,globalAdmin\n"),
        importRow("password", .resetOrUnlock, "userID,password\nTARGET,\(newPassword)\n"),
        Operation("GET /api/v1/users", .api, api(.get, "/users")),
        Operation("POST /api/v1/users", .api, api(.post, "/users", #"{"userID": "api-\#(UUID())@contoso.com"}"#)),
        Operation("POST /api/v1/users/import", .api, api(.post, "/users/import", "userID,displayName\napi-\(UUID())@contoso.com,New\n")),
        Operation("GET /api/v1/policy", .api, api(.get, "/policy")),
        Operation("PATCH /api/v1/policy", .api, api(.patch, "/policy", #"{"methodsRequired": "1"}"#)),
        Operation("GET /api/v1/reports/registrations", .api, api(.get, "/reports/registrations")),
        Operation("GET /api/v1/reports/resets", .api, api(.get, "/reports/resets")),
        Operation("GET /api/v1/audit", .api, api(.get, "/audit")),
        Operation("GET /api/v1/users/{user}", .api, targeted: true, api(.get, "/users/TARGET")),
        Operation("GET /api/v1/users/{user}/registration", .api, targeted: true, api(.get, "/users/TARGET/registration")),
        Operation("PATCH /api/v1/users/{user}", .api, targeted: true, changes: true,
                  api(.patch, "/users/TARGET", #"{"alternateEmail": "attacker@example.org", "enabled": false}"#)),
        Operation("POST /api/v1/users/import (a row on the user)", .api, targeted: true, changes: true,
                  api(.post, "/users/import", "userID,alternateEmail,enabled\nTARGET,attacker@example.org,false\n")),
        Operation("DELETE /api/v1/users/{user}", .api, targeted: true, changes: true, api(.delete, "/users/TARGET")),
        Operation("POST /api/v1/users/{user}/access-pass", .api, targeted: true, changes: true, api(.post, "/users/TARGET/access-pass", "{}")),
        Operation("DELETE /api/v1/users/{user}/access-pass", .api, targeted: true, changes: true, api(.delete, "/users/TARGET/access-pass")),
        Operation("DELETE /api/v1/users/{user}/sessions", .api, targeted: true, changes: true, api(.delete, "/users/TARGET/sessions")),
    ]

    @Test func everyRouteFollowsTheRulesForEveryCallerAndTarget() async throws {
        let harness = try await Harness()
        let token = try await TokenService(store: harness.store, clock: harness.clock, random: SystemRandomSource()).create(name: "table", actor: "cli")
        var failures: [String] = []
        var number = 0
        for caller in Caller.allCases {
            for operation in Self.operations {
                for target in operation.targeted ? Target.allCases : [.plain] {
                    number += 1
                    failures += try await run(operation, caller: caller, target: target, number: number, harness: harness, token: token)
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(number) cases break the rules:\n\(failures.joined(separator: "\n"))")
    }

    /// Runs one case with its own caller and target, so that no case sees another's changes; the rules it broke.
    private func run(
        _ operation: Operation, caller: Caller, target: Target, number: Int, harness: Harness, token: String
    ) async throws -> [String] {
        let callerID = "caller-\(number)@contoso.com"
        let signsIn = caller != .nobody && caller != .token
        if signsIn { try await harness.addUser(callerID, roles: caller.roles, registered: true) }
        let targetRoles: Set<Role> = switch target {
        case .itself: signsIn ? caller.roles : []
        case .plain: []
        case .global: [.globalAdmin]
        case .user: [.userAdmin]
        case .helpdesk: [.helpdeskAdmin]
        case .password: [.passwordAdmin]
        }
        let holder = Self.holder(of: targetRoles)
        guard !operation.skip.contains(holder) else { return [] }
        let targetID = target == .itself && signsIn ? callerID : "target-\(number)@contoso.com"
        if targetID != callerID { try await harness.addUser(targetID, roles: targetRoles, registered: true) }
        let subject = Subject(userID: targetID, roles: targetRoles, token: caller == .token ? token : "")
        let answer = Mutex<(page: Page?, before: User?, pass: TemporaryAccessPass?)>((nil, nil, nil))
        try await harness.browse { browser in
            if signsIn { try await browser.signIn(callerID) }
            try await browser.get("/signin")
            // Locked once signed in, so that an unlock has something to do and the caller's own sign-in still works.
            var locked = try #require(try await harness.store.user(userID: targetID))
            for attempt in 0..<10 { locked.lockout.recordFailure(fingerprint: "wrong\(attempt)", at: harness.clock.now) }
            try await harness.store.updateUser(locked)
            // And holding a pass, so that revoking one has something to do too.
            let pass = TemporaryAccessPass(
                userID: locked.id, hash: "$argon2id$table", issuedBy: "cli", issuedAt: harness.clock.now, expiresAt: harness.clock.now.addingTimeInterval(3_600),
                singleUse: true)
            try await harness.store.saveAccessPass(pass)
            // And signed in elsewhere, so that signing out has something to end.
            try await harness.store.saveSession(
                key: "target-session-\(number)", data: Data("{}".utf8), userID: locked.id, expiresAt: harness.clock.now.addingTimeInterval(3_600))
            let before = try await harness.store.user(userID: targetID)
            let page = try await operation.call(browser, subject)
            answer.withLock { $0 = (page, before, pass) }
        }
        let (page, before, pass) = answer.withLock { $0 }
        let response = try #require(page)
        let after = try await harness.store.user(userID: targetID)
        // A pass issued or revoked changes what the user can do as much as their record.
        var passChanged = false
        if let after { passChanged = try await harness.store.accessPass(ofUser: after.id) != pass }
        // As are the sessions it ended.
        let sessionEnded = try await harness.store.session(key: "target-session-\(number)", now: harness.clock.now) == nil
        let changed = after != before || passChanged || sessionEnded
        // A CSV row needs the right to import as well as the right to make its change.
        let expected = Self.expected(caller, operation.right, on: holder)
            && (!operation.portalImportRow || Self.expected(caller, .importUsers, on: .none))
        let label = "\(operation.name) by \(caller.rawValue) on \(target.rawValue)"
        let refusedAnswer: Bool = switch (caller, operation.right) {
        case (_, .api): response.status == .unauthorized
        case (.nobody, _), (.token, _): response.status == .seeOther && response.location == "/signin"
        default: response.status == .forbidden
        }
        var failures: [String] = []
        if operation.portalImportRow && Self.expected(caller, .importUsers, on: .none) {
            // The file is taken; the row is refused alone, with its reason, and its user left as it was.
            if expected != changed { failures.append("\(label): expected \(expected ? "allowed" : "refused"), the user \(changed ? "changed" : "stayed as it was")") }
            if !expected && !(response.contains("Refused") && response.contains("your roles do not allow you")) {
                failures.append("\(label): the refused row is not reported with its reason")
            }
            return failures
        }
        if expected == refusedAnswer {
            failures.append("\(label): expected \(expected ? "allowed" : "refused"), got \(response.status.code) \(response.location ?? "")")
        }
        if operation.targeted && !expected && changed { failures.append("\(label): refused, yet the user changed") }
        if operation.targeted && expected && operation.changes && !changed { failures.append("\(label): allowed, yet the user stayed as it was") }
        return failures
    }

    static func holder(of roles: Set<Role>) -> Holder {
        if roles.contains(.globalAdmin) { return .global }
        if roles.contains(.userAdmin) { return .user }
        if roles.contains(.passwordAdmin) { return .password }
        if roles.contains(.helpdeskAdmin) { return .helpdesk }
        return .none
    }
}
