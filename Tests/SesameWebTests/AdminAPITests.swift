import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Synchronization
import Testing

@testable import SesameWeb

/// `/api/v1`: bearer tokens, users and their contact data, import, policy, reports, and the OpenAPI document that
/// describes every route.
@Suite struct AdminAPITests {
    let harness: Harness
    let token: String

    init() async throws {
        harness = try await Harness()
        token = try await TokenService(store: harness.store, clock: harness.clock, random: SystemRandomSource()).create(name: "hr-sync", actor: "cli")
    }

    /// Calls the API with the token (or `bearer`), returns the status and the JSON body as an object.
    func call(_ method: HTTPRequest.Method, _ path: String, json: Any? = nil, body: String? = nil, bearer: String? = nil) async throws -> (HTTPResponse.Status, [String: Any], String) {
        var headers: HTTPFields = [.authorization: "Bearer \(bearer ?? token)"]
        var text = body
        if let json {
            headers[.contentType] = "application/json"
            text = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        }
        let request = (headers, text)
        let answer = Mutex<Page?>(nil)
        try await harness.browse { browser in
            let page = try await browser.send("/api/v1" + path, method: method, headers: request.0, body: request.1)
            answer.withLock { $0 = page }
        }
        let page = try #require(answer.withLock { $0 })
        let object = (try? JSONSerialization.jsonObject(with: Data(page.body.utf8))) as? [String: Any] ?? [:]
        return (page.status, object, page.body)
    }

    @Test func everyRouteIsInTheOpenAPIDocumentAndNothingElse() async throws {
        let (status, document, _) = try await call(.get, "/openapi.json", bearer: "none")
        #expect(status == .ok, "the document is public")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, item in
            item.keys.filter { ["get", "post", "patch", "delete", "put"].contains($0) }.map { "\($0.uppercased()) \(path)" }
        })
        let routed = Set(APIController.routes.map { "\($0.method.rawValue) \($0.path)" })
        #expect(routed == documented)
        // The policy's keys are spelt out, unknown ones refused (schemathesis sends some).
        let policy = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])["Policy"]
        #expect(Set(((policy?["properties"] as? [String: Any]) ?? [:]).keys) == Set(PolicyKey.allCases.map(\.rawValue)))
        #expect(policy?["additionalProperties"] as? Bool == false)
    }

    @Test func everyOperationsScopeAndItsRefusalAreDocumented() async throws {
        let (_, document, _) = try await call(.get, "/openapi.json", bearer: "none")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        for route in APIController.routes {
            let operation = paths[route.path]?[route.method.rawValue.lowercased()] as? [String: Any]
            #expect(operation?["x-sesame-scope"] as? String == route.scope.rawValue, "\(route.method) \(route.path)")
            // Every token has at least `read`, so only wider operations can answer 403.
            let responses = operation?["responses"] as? [String: Any] ?? [:]
            #expect((responses["403"] != nil) == (route.scope != .read), "\(route.method) \(route.path)")
        }
        let components = try #require(document["components"] as? [String: Any])
        let bearer = ((components["securitySchemes"] as? [String: Any])?["bearer"] as? [String: Any])?["description"] as? String ?? ""
        #expect(TokenScope.allCases.allSatisfy { bearer.contains("`\($0.rawValue)`") } && bearer.contains("insufficient_scope"))
        let error = (((components["schemas"] as? [String: Any])?["Error"] as? [String: Any])?["properties"] as? [String: [String: Any]])?["code"]
        #expect((error?["description"] as? String)?.contains("insufficient_scope") == true)
    }

    @Test func callsOutsideTheDocumentAreAnsweredInJSON() async throws {
        let (unknown, body, _) = try await call(.get, "/nowhere")
        #expect(unknown == .notFound && body["code"] as? String == "not_found", "not the HTML error page")
        try await harness.browse { browser in
            let headers: HTTPFields = [.authorization: "Bearer \(token)"]
            let put = try await browser.send("/api/v1/policy", method: .put, headers: headers, body: "{}")
            #expect(put.status == .methodNotAllowed && put.headers[.allow] == "GET, HEAD, PATCH")
            #expect(put.headers[.contentType]?.hasPrefix("application/json") == true && put.body.contains("method_not_allowed"))
            let user = try await browser.send("/api/v1/users/bob@contoso.com", method: .post, headers: headers, body: nil)
            #expect(user.status == .methodNotAllowed && user.headers[.allow] == "GET, HEAD, PATCH, DELETE")
            // A fixed segment wins over a parameter, as in the routing: "import" is no user ID.
            let importing = try await browser.send("/api/v1/users/import", method: .get, headers: headers, body: nil)
            #expect(importing.status == .methodNotAllowed && importing.headers[.allow] == "POST")
        }
    }

    @Test func tokensAreRequiredCheckedAndRecorded() async throws {
        let (none, body, _) = try await call(.get, "/users", bearer: "")
        #expect(none == .unauthorized && body["code"] as? String == "unauthorized")
        #expect(try await call(.get, "/users", bearer: "sesame_forged").0 == .unauthorized)
        // An administrator's signed-in session is no API credential: the API knows only bearer tokens.
        try await harness.addUser(roles: [.globalAdmin])
        try await harness.browse { browser in
            try await browser.signIn()
            #expect(try await browser.get("/api/v1/users").status == .unauthorized)
        }
        #expect(try await call(.get, "/users").0 == .ok)
        let record = try #require(try await harness.store.tokens().first)
        #expect(record.lastUsedAt == harness.clock.now)
        try await harness.store.revokeToken(id: record.id, at: harness.clock.now)
        #expect(try await call(.get, "/users").0 == .unauthorized, "a revoked token is refused")
    }

    @Test func usersAndTheirContactData() async throws {
        let (created, user, _) = try await call(.post, "/users", json: [
            "userID": "carol@contoso.com", "displayName": "Carol", "mobilePhone": "+33 6 11 22 33 44", "roles": ["helpdeskAdmin"],
        ])
        #expect(created == .created && user["mobilePhone"] as? String == "+33611223344")
        #expect(try await call(.post, "/users", json: ["userID": "carol@contoso.com"]).0 == .conflict)
        let (invalid, error, _) = try await call(.patch, "/users/carol@contoso.com", json: ["mobilePhone": "06 12"])
        #expect(invalid == .unprocessableContent && (error["fields"] as? [[String: String]])?.first?["field"] == "mobilePhone")
        let (updated, changed, _) = try await call(.patch, "/users/carol@contoso.com", json: ["alternateEmail": "carol@example.org", "groups": ["staff"]])
        #expect(updated == .ok && changed["alternateEmail"] as? String == "carol@example.org" && changed["groups"] as? [String] == ["staff"])
        let (read, fetched, _) = try await call(.get, "/users/carol%40contoso.com")
        #expect(read == .ok && fetched["displayName"] as? String == "Carol" && fetched["hasPassword"] as? Bool == false)
        #expect(fetched["passwordHash"] == nil && !String(describing: fetched).contains("argon2"), "no hash ever leaves")
        let (_, registration, _) = try await call(.get, "/users/carol@contoso.com/registration")
        #expect(registration["due"] as? String == "register" && registration["methodsRequired"] as? Int == 2)
        #expect(try await call(.post, "/users", json: ["displayName": "no id"]).0 == .unprocessableContent)
        #expect(try await call(.post, "/users", body: "{not json").0 == .badRequest)
        #expect(try await call(.delete, "/users/carol@contoso.com").0 == .noContent)
        #expect(try await call(.get, "/users/carol@contoso.com").0 == .notFound)
        let actors = Set(try await harness.store.auditEvents(ActivityQuery()).filter { $0.activity != .apiTokenCreated }.map(\.actor))
        #expect(actors == ["token:hr-sync"])
    }

    /// The answer is the only place the pass is shown; a second one replaces it; revoking leaves none.
    @Test func accessPassesAreIssuedWithTheirTermsAndRevoked() async throws {
        let bob = try await harness.addUser("bob@contoso.com")
        let (created, body, _) = try await call(.post, "/users/bob%40contoso.com/access-pass", json: ["lifetimeMinutes": 90, "length": 20, "singleUse": false])
        #expect(created == .created)
        let pass = try #require(body["pass"] as? String)
        #expect(pass.count == 24 && body["singleUse"] as? Bool == false)
        #expect(body["expiresAt"] as? String == harness.clock.now.addingTimeInterval(5_400).formatted(.iso8601))
        let stored = try #require(try await harness.store.accessPass(ofUser: bob.id))
        #expect(await fastHasher.verify(pass.replacingOccurrences(of: "-", with: ""), against: stored.hash))
        let (refused, error, _) = try await call(.post, "/users/bob%40contoso.com/access-pass", json: ["length": 49])
        #expect(refused == .unprocessableContent && (error["fields"] as? [[String: Any]])?.first?["field"] as? String == "length")
        #expect(try await call(.post, "/users/bob%40contoso.com/access-pass", body: "[]").0 == .badRequest)
        #expect(try await call(.delete, "/users/bob%40contoso.com/access-pass").0 == .noContent)
        #expect(try await harness.store.accessPass(ofUser: bob.id) == nil)
        #expect(try await call(.post, "/users/nobody%40contoso.com/access-pass", json: [:]).0 == .notFound)
    }

    @Test func importReportsEachRow() async throws {
        let csv = "userID,mobilePhone\ndave@contoso.com,+33 6 11 22 33 44\nerin@contoso.com,nope\n"
        let (status, result, _) = try await call(.post, "/users/import", body: csv)
        let rows = try #require(result["rows"] as? [[String: Any]])
        #expect(status == .ok && rows.map { $0["result"] as? String } == ["created", "failed"] && rows[1]["line"] as? Int == 3)
        // Found by schemathesis: a body whose header is not ours is refused whole, not a server error.
        let (refused, error, _) = try await call(.post, "/users/import", body: "{}")
        #expect(refused == .unprocessableContent && (error["message"] as? String)?.contains("unknown column") == true)
        #expect(try await call(.post, "/users/import", body: "").0 == .unprocessableContent, "an empty body is refused, not a row")
    }

    @Test func thePolicyWithTheSameValidation() async throws {
        let (_, policy, _) = try await call(.get, "/policy")
        #expect(policy["methodsRequired"] as? String == "1" && policy.count == PolicyKey.allCases.count)
        let (refused, error, _) = try await call(.patch, "/policy", json: ["reconfirmDays": "999", "methodsRequired": "2"])
        #expect(refused == .unprocessableContent && (error["fields"] as? [[String: String]])?.map { $0["field"] } == ["reconfirmDays"])
        #expect(try await harness.store.policy() == nil, "nothing was saved")
        let (saved, after, _) = try await call(.patch, "/policy", json: ["reconfirmDays": "90", "methodsRequired": "2"])
        #expect(saved == .ok && after["reconfirmDays"] as? String == "90" && after["methodsRequired"] as? String == "2")
        #expect(try await call(.patch, "/policy", json: ["colour": "blue"]).0 == .unprocessableContent)
    }

    @Test func reportsAndTheAuditLogInJSONAndCSV() async throws {
        try await harness.store.appendResetActivity(ResetActivity(at: harness.clock.now, userID: "bob@contoso.com", role: "user", methodsUsed: [.email], detail: .succeeded))
        let (status, page, _) = try await call(.get, "/reports/resets")
        let rows = try #require(page["rows"] as? [[String: String]])
        #expect(status == .ok && rows.first?["result"] == "Succeeded" && rows.first?["methodsUsed"] == "Email")
        try await harness.store.appendRegistrationActivity(RegistrationActivity(at: harness.clock.now, userID: "bob@contoso.com", role: "user", dataRegistered: .email))
        let (_, registrations, _) = try await call(.get, "/reports/registrations")
        #expect((registrations["rows"] as? [[String: String]])?.first?["dataRegistered"] == "Alternate Email")
        let (csvStatus, _, csv) = try await call(.get, "/reports/resets?format=csv")
        #expect(csvStatus == .ok && csv.hasPrefix("User,Role,Date and Time"))
        #expect(try await call(.get, "/audit?from=2020-13-01").0 == .badRequest)
        #expect(try await call(.get, "/audit?limit=0").0 == .badRequest)
        // What the document refuses, the server refuses: an empty date, an offset or search beyond their bounds.
        #expect(try await call(.get, "/audit?to=").0 == .badRequest)
        #expect(try await call(.get, "/audit?offset=10001").0 == .badRequest)
        #expect(try await call(.get, "/users?offset=10001").0 == .badRequest)
        #expect(try await call(.get, "/users?offset=10000").0 == .ok)
        #expect(try await call(.get, "/users?search=" + String(repeating: "a", count: 257)).0 == .badRequest)
        #expect(try await call(.get, "/users?search=" + String(repeating: "a", count: 256)).0 == .ok)
        let (_, audit, _) = try await call(.get, "/audit")
        #expect((audit["rows"] as? [[String: String]])?.contains { $0["activity"] == "Create API token" } == true)
    }
}
