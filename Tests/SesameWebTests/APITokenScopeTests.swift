import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Synchronization
import Testing

@testable import SesameWeb

/// API token scopes and expiry: every operation tried with a token of every scope, an expired one and a revoked one,
/// against a table written from the rules (`read` is every GET; `users` adds creating, changing, deleting and
/// importing users; `full` is everything), not read from `APIController.routes`; and a `users` token held to a user
/// administrator's authority, as the portal holds one.
@Suite struct APITokenScopeTests {
    /// The bearer a case presents.
    enum Credential: String, CaseIterable, Sendable {
        case read, users, full, expired, revoked
    }

    struct Case: Sendable {
        let method: HTTPRequest.Method
        /// `TARGET` stands for a plain user made for the case, `PASSKEY` for a passkey of theirs.
        let path: String
        let body: String?
        /// The status with a `read`, `users` and `full` token; expired and revoked ones are always 401.
        let read: Int
        let users: Int
        let full: Int

        var route: String {
            "\(method.rawValue) \(path.replacingOccurrences(of: "TARGET", with: "{userID}").replacingOccurrences(of: "PASSKEY", with: "{passkeyID}"))"
        }

        func expected(_ credential: Credential) -> Int {
            switch credential {
            case .read: read
            case .users: users
            case .full: full
            case .expired, .revoked: 401
            }
        }
    }

    /// THE TABLE: one row per API operation.
    static let table: [Case] = [
        Case(method: .get, path: "/users", body: nil, read: 200, users: 200, full: 200),
        Case(method: .post, path: "/users", body: #"{"userID": "NEW"}"#, read: 403, users: 201, full: 201),
        Case(method: .post, path: "/users/import", body: "userID,displayName\nTARGET,Renamed\n", read: 403, users: 200, full: 200),
        Case(method: .get, path: "/users/TARGET", body: nil, read: 200, users: 200, full: 200),
        Case(method: .patch, path: "/users/TARGET", body: #"{"alternateEmail": "moved@example.org"}"#, read: 403, users: 200, full: 200),
        Case(method: .delete, path: "/users/TARGET", body: nil, read: 403, users: 204, full: 204),
        Case(method: .get, path: "/users/TARGET/registration", body: nil, read: 200, users: 200, full: 200),
        Case(method: .post, path: "/users/TARGET/access-pass", body: "{}", read: 403, users: 201, full: 201),
        Case(method: .delete, path: "/users/TARGET/access-pass", body: nil, read: 403, users: 204, full: 204),
        Case(method: .delete, path: "/users/TARGET/sessions", body: nil, read: 403, users: 200, full: 200),
        Case(method: .delete, path: "/users/TARGET/passkeys/PASSKEY", body: nil, read: 403, users: 204, full: 204),
        Case(method: .get, path: "/policy", body: nil, read: 200, users: 200, full: 200),
        Case(method: .patch, path: "/policy", body: #"{"reconfirmDays": "NUMBER"}"#, read: 403, users: 403, full: 200),
        Case(method: .get, path: "/reports/registrations", body: nil, read: 200, users: 200, full: 200),
        Case(method: .get, path: "/reports/resets", body: nil, read: 200, users: 200, full: 200),
        Case(method: .get, path: "/audit", body: nil, read: 200, users: 200, full: 200),
    ]

    @Test func theTableCoversEveryOperation() {
        #expect(Set(Self.table.map(\.route)) == Set(APIController.routes.map { "\($0.method.rawValue) \($0.path)" }))
        #expect(Self.table.count == APIController.routes.count)
    }

    @Test func everyOperationForEveryScopeAndExpiredOrRevokedTokens() async throws {
        let harness = try await Harness()
        let service = TokenService(store: harness.store, clock: harness.clock, random: SystemRandomSource())
        var tokens: [Credential: String] = [:]
        for scope in TokenScope.allCases { tokens[Credential(rawValue: scope.rawValue) ?? .full] = try await service.create(name: scope.rawValue, scope: scope, actor: "cli") }
        tokens[.expired] = try await service.create(name: "expired", scope: .full, days: 1, actor: "cli")
        tokens[.revoked] = try await service.create(name: "revoked", scope: .full, actor: "cli")
        try await service.revoke(name: "revoked", actor: "cli")
        harness.clock.advance(by: 86_400)

        var failures: [String] = []
        var number = 0
        for entry in Self.table {
            for credential in Credential.allCases {
                number += 1
                let target = "target-\(number)@contoso.com"
                try await harness.addUser(target)
                let passkey = try await harness.addPasskey(to: target)
                let before = try await snapshot(harness, target)
                let body = entry.body?.replacingOccurrences(of: "TARGET", with: target)
                    .replacingOccurrences(of: "NEW", with: "new-\(number)@contoso.com")
                    .replacingOccurrences(of: "NUMBER", with: String(number))
                let path = entry.path.replacingOccurrences(of: "TARGET", with: target).replacingOccurrences(of: "PASSKEY", with: passkey.id.uuidString)
                let page = try await send(harness, entry.method, path, body, bearer: tokens[credential] ?? "")
                let label = "\(entry.route) with a \(credential.rawValue) token"
                let expected = entry.expected(credential)
                if Int(page.status.code) != expected { failures.append("\(label): expected \(expected), got \(page.status.code) \(page.body)") }
                let code = (try? JSONSerialization.jsonObject(with: Data(page.body.utf8)) as? [String: Any])?["code"] as? String
                if expected == 403 && code != "insufficient_scope" { failures.append("\(label): the code is \(code ?? "none"), not insufficient_scope") }
                if expected == 401 && code != "unauthorized" { failures.append("\(label): the code is \(code ?? "none"), not unauthorized") }
                if expected >= 400, try await snapshot(harness, target) != before { failures.append("\(label): refused, yet something changed") }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(number) cases break the table:\n\(failures.joined(separator: "\n"))")
    }

    @Test func aUsersTokenHasAUserAdministratorsAuthority() async throws {
        let harness = try await Harness()
        let service = TokenService(store: harness.store, clock: harness.clock, random: SystemRandomSource())
        let users = try await service.create(name: "hr-sync", scope: .users, actor: "cli")
        let full = try await service.create(name: "operator", actor: "cli")
        try await harness.addUser("boss@contoso.com", roles: [.globalAdmin], email: "boss@example.org")
        try await harness.addUser("plain@contoso.com")
        try await harness.addUser("desk@contoso.com", roles: [.helpdeskAdmin])
        let boss = try await harness.store.user(userID: "boss@contoso.com")
        let plain = try await harness.store.user(userID: "plain@contoso.com")

        // No global administrator made, by a change, a creation or an import row.
        let grant = try await send(harness, .patch, "/users/plain@contoso.com", #"{"roles": ["globalAdmin"]}"#, bearer: users)
        #expect(grant.status == .forbidden && grant.body.contains("insufficient_scope") && grant.body.contains("roles"))
        let mole = try await send(harness, .post, "/users", #"{"userID": "mole@contoso.com", "roles": ["globalAdmin"]}"#, bearer: users)
        #expect(mole.status == .forbidden && mole.body.contains("insufficient_scope"))
        #expect(try await harness.store.user(userID: "mole@contoso.com") == nil)
        // Nothing done to a global administrator: contact data, password, roles, deletion.
        for (method, body) in [
            (HTTPRequest.Method.patch, #"{"alternateEmail": "attacker@example.org"}"#), (.patch, #"{"mobilePhone": "+33 6 99 88 77 66"}"#),
            (.patch, #"{"password": "Yt7$Mx3!Ps9j"}"#), (.patch, #"{"roles": []}"#), (.delete, nil),
        ] {
            let refused = try await send(harness, method, "/users/boss@contoso.com", body, bearer: users)
            #expect(refused.status == .forbidden && refused.body.contains("insufficient_scope"), "\(method) \(body ?? "")")
        }
        #expect(try await harness.store.user(userID: "boss@contoso.com") == boss)
        #expect(try await harness.store.user(userID: "plain@contoso.com") == plain)

        // The import is taken, and each row beyond the authority is refused alone with its reason, as in the portal.
        let csv = """
            userID,roles,alternateEmail
            plain@contoso.com,globalAdmin,
            boss@contoso.com,,attacker@example.org
            newbie@contoso.com,globalAdmin,
            desk@contoso.com,,desk@example.org

            """
        let imported = try await send(harness, .post, "/users/import", csv, bearer: users)
        let rows = try #require((try JSONSerialization.jsonObject(with: Data(imported.body.utf8)) as? [String: Any])?["rows"] as? [[String: Any]])
        #expect(imported.status == .ok && rows.map { $0["result"] as? String } == ["refused", "refused", "refused", "updated"])
        #expect(rows.prefix(3).allSatisfy { ($0["message"] as? String)?.contains("do not allow") == true })
        #expect(try await harness.store.user(userID: "boss@contoso.com") == boss)
        #expect(try await harness.store.user(userID: "plain@contoso.com") == plain)
        #expect(try await harness.store.user(userID: "newbie@contoso.com") == nil)

        // What a user administrator may do, the token does: other roles, other administrators' data.
        let helpdesk = try await send(harness, .patch, "/users/plain@contoso.com", #"{"roles": ["helpdeskAdmin"], "alternateEmail": "plain@example.org"}"#, bearer: users)
        #expect(helpdesk.status == .ok)
        #expect(try await harness.store.user(userID: "plain@contoso.com")?.roles == [.helpdeskAdmin])
        #expect(try await harness.store.user(userID: "desk@contoso.com")?.authentication.alternateEmail?.value == "desk@example.org")
        #expect(try await send(harness, .delete, "/users/desk@contoso.com", nil, bearer: users).status == .noContent)
        // And a full token, as a global administrator, may do what the users token was refused.
        #expect(try await send(harness, .patch, "/users/boss@contoso.com", #"{"alternateEmail": "boss@contoso.org"}"#, bearer: full).status == .ok)
        #expect(try await send(harness, .patch, "/users/plain@contoso.com", #"{"roles": ["globalAdmin"]}"#, bearer: full).status == .ok)
    }

    /// What a refused call must leave alone: the case's user, the policy and the number of users.
    struct Snapshot: Equatable {
        let user: User?
        let policy: VersionedPolicy?
        let users: Int
    }

    private func snapshot(_ harness: Harness, _ target: String) async throws -> Snapshot {
        Snapshot(user: try await harness.store.user(userID: target), policy: try await harness.store.policy(), users: try await harness.store.userCount())
    }

    private func send(_ harness: Harness, _ method: HTTPRequest.Method, _ path: String, _ body: String?, bearer: String) async throws -> Page {
        let headers: HTTPFields = [
            .authorization: "Bearer \(bearer)", .contentType: path.hasSuffix("/import") ? "text/csv" : "application/json",
        ]
        let answer = Mutex<Page?>(nil)
        try await harness.browse { browser in
            let page = try await browser.send("/api/v1" + path, method: method, headers: headers, body: body)
            answer.withLock { $0 = page }
        }
        return try #require(answer.withLock { $0 })
    }
}
