import Foundation
import Hummingbird
import SesameCore

/// `/api/v1`: users (with pre-populated contact data and their registration status), bulk import, the policy, the
/// reports and the audit log, through the same core services as the admin portal and the command line. Routes are
/// declared in one table, with the token scope each needs; the OpenAPI test compares it with `openapi.json`.
struct APIController {
    let store: any Store
    let policies: PolicyCache
    let policyChanges: PolicyService
    let administration: UserAdministration
    let accessPasses: AccessPassService
    let passkeys: PasskeyService
    let imports: UserImport
    let reports: ReportService
    let clock: any WallClock

    static let maximumBody = 2_000_000
    static let maximumLimit = 1_000
    static let maximumSearch = 256
    /// An offset costs the database what it skips (8 s at 500,000 on PostgreSQL, a million users), so it is kept for
    /// the first pages; deeper pages follow `after`, which costs the same at any depth (docs/scale.md#search).
    static let maximumOffset = 10_000

    typealias Handler = @Sendable (APIController, Request, WebContext) async throws -> Response

    /// Method, path (OpenAPI style), the token scope it needs, and handler of every operation. THE SCOPE RULE: every
    /// read is `read`; creating, changing, deleting and importing users is `users` (and, on each user, a user
    /// administrator's authority for a `users` token: see `authorize`); changing the policy is `full`.
    static let routes: [(method: HTTPRequest.Method, path: String, scope: TokenScope, handler: Handler)] = [
        (.get, "/users", .read, { try await $0.listUsers($1, $2) }),
        (.post, "/users", .users, { try await $0.createUser($1, $2) }),
        (.post, "/users/import", .users, { try await $0.importUsers($1, $2) }),
        (.get, "/users/{userID}", .read, { try await $0.getUser($1, $2) }),
        (.patch, "/users/{userID}", .users, { try await $0.updateUser($1, $2) }),
        (.delete, "/users/{userID}", .users, { try await $0.deleteUser($1, $2) }),
        (.get, "/users/{userID}/registration", .read, { try await $0.registration($1, $2) }),
        (.post, "/users/{userID}/access-pass", .users, { try await $0.issueAccessPass($1, $2) }),
        (.delete, "/users/{userID}/access-pass", .users, { try await $0.revokeAccessPass($1, $2) }),
        (.delete, "/users/{userID}/passkeys/{passkeyID}", .users, { try await $0.removePasskey($1, $2) }),
        (.delete, "/users/{userID}/sessions", .users, { try await $0.endSessions($1, $2) }),
        (.get, "/policy", .read, { try await $0.getPolicy($1, $2) }),
        (.patch, "/policy", .full, { try await $0.updatePolicy($1, $2) }),
        (.get, "/reports/registrations", .read, { try await $0.report(.registrations, $1, $2) }),
        (.get, "/reports/resets", .read, { try await $0.report(.resets, $1, $2) }),
        (.get, "/audit", .read, { try await $0.report(.audit, $1, $2) }),
    ]

    func add(to group: RouterGroup<WebContext>) {
        for route in Self.routes {
            // Hummingbird writes path parameters as `:name`.
            let path = route.path.replacingOccurrences(of: "{userID}", with: ":userID")
            group.on(RouterPath(path), method: route.method) { request, context in
                // Checked before the body is read or anything is looked up, so a narrow token learns nothing more.
                guard let scope = context.apiScope, scope.includes(route.scope) else {
                    throw APIError.insufficientScope(context.apiScope, needs: route.scope)
                }
                return try await route.handler(self, request, context)
            }
        }
    }

    // MARK: Users

    func listUsers(_ request: Request, _ context: WebContext) async throws -> Response {
        let (limit, offset) = try paging(request)
        let search = request.query["search"]
        guard (search?.unicodeScalars.count ?? 0) <= Self.maximumSearch else {
            throw APIError(.badRequest, "invalid_search", "search is at most \(Self.maximumSearch) characters")
        }
        let page = try await store.users(UserQuery(search: search, after: try cursor(request, UserCursor.init(text:)), limit: limit, offset: offset))
        let policy = try await policies.policy()
        return try json(UserList(
            users: page.users.map { UserResource($0, policy: policy, now: clock.now) }, limit: limit, offset: offset, next: page.next?.text),
            request, context)
    }

    func createUser(_ request: Request, _ context: WebContext) async throws -> Response {
        let body = try await decode(UserBody.self, request, context)
        guard let userID = body.userID else { throw APIError(.unprocessableContent, "invalid", "userID is required", fields: [.init(field: "userID", message: "this value is required")]) }
        let draft = try await refusingInvalid { try body.draft(userID: userID) }
        try authorize(draft, on: nil, context)
        let user = try await refusingInvalid { try await administration.add(draft, actor: actor(context)) }
        return try json(UserResource(user, policy: try await policies.policy(), now: clock.now), request, context, status: .created)
    }

    func getUser(_ request: Request, _ context: WebContext) async throws -> Response {
        try json(try await single(try await user(context)), request, context)
    }

    /// The view of one user, with their passkeys (docs/behaviour.md#passkeys); lists leave those out.
    private func single(_ user: User) async throws -> UserResource {
        var resource = UserResource(user, policy: try await policies.policy(), now: clock.now)
        resource.passkeys = try await passkeys.passkeys(of: user).map(PasskeyResource.init)
        return resource
    }

    func updateUser(_ request: Request, _ context: WebContext) async throws -> Response {
        let existing = try await user(context)
        let body = try await decode(UserBody.self, request, context)
        let draft = try await refusingInvalid { try body.draft(userID: existing.userID) }
        try authorize(draft, on: existing, context)
        let user = try await refusingInvalid { try await administration.update(draft, actor: actor(context)) }
        return try json(try await single(user), request, context)
    }

    func deleteUser(_ request: Request, _ context: WebContext) async throws -> Response {
        let user = try await user(context)
        let scope = try scope(context)
        guard AdminAuthority.allows(scope.authority, .delete, on: user) else {
            throw APIError.insufficientScope(scope, refused: LocalizedText("import.refused.edit", ["userID": user.userID]))
        }
        try await administration.delete(userID: user.userID, actor: actor(context))
        return Response(status: .noContent)
    }

    /// Removes one of the user's passkeys, with the authority that voids their recovery codes: making them register
    /// again.
    func removePasskey(_ request: Request, _ context: WebContext) async throws -> Response {
        let user = try await user(context)
        let scope = try scope(context)
        guard AdminAuthority.allows(scope.authority, .requireRegistration, on: user) else {
            throw APIError.insufficientScope(scope, refused: LocalizedText("import.refused.edit", ["userID": user.userID]))
        }
        guard let id = context.parameters.get("passkeyID").flatMap(UUID.init(uuidString:)),
            try await passkeys.remove(id, of: user, by: actor(context), keepingSession: nil, requestID: context.requestID)
        else { throw APIError(.notFound, "not_found", "no such passkey") }
        return Response(status: .noContent)
    }

    /// Signs the user out everywhere; the answer counts the sessions that ended (docs/security.md#sessions).
    func endSessions(_ request: Request, _ context: WebContext) async throws -> Response {
        let user = try await user(context)
        let scope = try scope(context)
        guard AdminAuthority.allows(scope.authority, .endSessions, on: user) else {
            throw APIError.insufficientScope(scope, refused: LocalizedText("import.refused.edit", ["userID": user.userID]))
        }
        let ended = try await administration.endSessions(userID: user.userID, actor: actor(context))
        return try json(EndedSessions(ended: ended), request, context)
    }

    func registration(_ request: Request, _ context: WebContext) async throws -> Response {
        try json(RegistrationResource(try await user(context), policy: try await policies.policy(), now: clock.now), request, context)
    }

    /// Issues a temporary access pass; the answer is the only place the pass is ever shown
    /// (docs/behaviour.md#temporary-access-pass).
    func issueAccessPass(_ request: Request, _ context: WebContext) async throws -> Response {
        let user = try await accessPassTarget(context)
        let body = try await decode(AccessPassBody.self, request, context)
        let authority = try scope(context).authority
        let issued = try await refusingInvalid {
            do {
                return try await accessPasses.issue(to: user.userID, terms: body.terms, authority: authority, actor: actor(context))
            } catch let error as ValidationError where error.field == "lifetime" {
                // The body names it in minutes.
                throw error.on("lifetimeMinutes")
            }
        }
        return try json(AccessPassResource(issued), request, context, status: .created)
    }

    func revokeAccessPass(_ request: Request, _ context: WebContext) async throws -> Response {
        let user = try await accessPassTarget(context)
        try await accessPasses.revoke(for: user.userID, actor: actor(context))
        return Response(status: .noContent)
    }

    /// The user in the path, when the token's authority may issue them a pass.
    private func accessPassTarget(_ context: WebContext) async throws -> User {
        let user = try await user(context)
        let scope = try scope(context)
        guard AdminAuthority.allows(scope.authority, .issueAccessPass, on: user) else {
            throw APIError.insufficientScope(scope, refused: LocalizedText("accessPass.refused", ["userID": user.userID]))
        }
        return user
    }

    /// `text/csv` body, the same columns as `sesame user import`; one result per row.
    func importUsers(_ request: Request, _ context: WebContext) async throws -> Response {
        var request = request
        let text = String(buffer: try await request.readBody(upTo: Self.maximumBody))
        guard !text.allSatisfy(\.isWhitespace) else { throw APIError(.unprocessableContent, "invalid", "the CSV was refused: the body is empty") }
        let outcomes: [UserImport.Outcome]
        do {
            outcomes = try await imports.run(text, by: .token(try scope(context)), actor: actor(context))
        } catch let error as UserImportError {
            throw APIError(.unprocessableContent, "invalid", "the CSV was refused: \(error)")
        }
        let rows = outcomes.map { outcome -> ImportRow in
            switch outcome {
            case .created(let line, let userID): ImportRow(line: line, result: "created", userID: userID, message: nil)
            case .updated(let line, let userID): ImportRow(line: line, result: "updated", userID: userID, message: nil)
            case .failed(let line, let message): ImportRow(line: line, result: "failed", userID: nil, message: message)
            // A row beyond the token's authority (a `users` token is a user administrator), as the portal reports it.
            case .refused(let line, let reason): ImportRow(line: line, result: "refused", userID: nil, message: reason.description)
            }
        }
        return try json(ImportResult(rows: rows), request, context)
    }

    // MARK: Policy

    func getPolicy(_ request: Request, _ context: WebContext) async throws -> Response {
        try json(Self.policyObject(try await policies.policy()), request, context)
    }

    /// A JSON object of knobs to change, each a string as `sesame policy set` takes it; refused values are all
    /// reported and nothing is saved.
    func updatePolicy(_ request: Request, _ context: WebContext) async throws -> Response {
        let body = try await decode([String: String].self, request, context)
        var values: [PolicyKey: String] = [:]
        for (name, value) in body {
            guard let key = PolicyKey(rawValue: name) else {
                throw APIError(.unprocessableContent, "invalid", "unknown policy key", fields: [.init(field: name, message: "unknown policy key")])
            }
            values[key] = value
        }
        do {
            let policy = try await policyChanges.update(values, actor: actor(context))
            return try json(Self.policyObject(policy), request, context)
        } catch let refused as PolicyErrors {
            throw APIError(.unprocessableContent, "invalid", "some values were refused; nothing was saved",
                           fields: refused.errors.map { .init(field: $0.key.rawValue, message: $0.description) })
        } catch StoreError.conflict {
            throw APIError(.conflict, "conflict", "the policy changed meanwhile; read it again")
        }
    }

    static func policyObject(_ policy: Policy) -> [String: String] {
        Dictionary(uniqueKeysWithValues: policy.keyValues.map { ($0.key.rawValue, $0.value) })
    }

    // MARK: Reports

    func report(_ kind: ReportKind, _ request: Request, _ context: WebContext) async throws -> Response {
        let parameters = request.query
        // Unlike the portal's filter form, a call that names a date gives one: `to=` is refused, not today.
        let from = parameters["from"], to = parameters["to"]
        guard from?.isEmpty != true, to?.isEmpty != true, let range = DateRange(from: from, to: to, now: clock.now) else {
            throw APIError(.badRequest, "invalid_dates", "from and to are YYYY-MM-DD, from not after to")
        }
        let (limit, offset) = try paging(request)
        let query = ActivityQuery(
            since: range.since, until: range.until, after: try cursor(request, ActivityCursor.init(text:)), limit: limit, offset: offset)
        let page = try await reports.page(kind, query, language: .english)
        switch parameters["format"] ?? "json" {
        case "csv":
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page.report.csv(in: .english))))
        case "json":
            return try json(
                ReportPage(from: range.fromText, to: range.toText, limit: limit, offset: offset, next: page.next?.text, rows: page.report.objects),
                request, context)
        default:
            throw APIError(.badRequest, "invalid_format", "format is json or csv")
        }
    }

    // MARK: Helpers

    private func actor(_ context: WebContext) -> String { context.apiActor ?? "api" }

    /// The checked token's scope; every routed operation has one (see `add(to:)`).
    private func scope(_ context: WebContext) throws -> TokenScope {
        guard let scope = context.apiScope else { throw APIError.unauthorized }
        return scope
    }

    /// Refuses a change the token's scope gives no authority for, by the portal's rules for the same change
    /// (``AdminAuthority``): a `users` token may not grant the global administrator role nor touch a global
    /// administrator, whatever the fields.
    private func authorize(_ draft: UserDraft, on target: User?, _ context: WebContext) throws {
        let scope = try scope(context)
        if let reason = AdminAuthority.refusal(toApply: draft, by: scope.authority, on: target) {
            throw APIError.insufficientScope(scope, refused: reason)
        }
    }

    private func user(_ context: WebContext) async throws -> User {
        guard let userID = context.parameters.get("userID")?.removingPercentEncoding, let user = try await store.user(userID: userID) else {
            throw APIError.notFound
        }
        return user
    }

    /// The page's `after=` cursor, as the previous page's `next` gave it.
    private func cursor<Cursor>(_ request: Request, _ parse: (String) -> Cursor?) throws -> Cursor? {
        guard let text = request.query["after"], !text.isEmpty else { return nil }
        guard let cursor = parse(text) else { throw APIError(.badRequest, "invalid_paging", "after is the next value of the previous page") }
        return cursor
    }

    private func paging(_ request: Request) throws -> (Int, Int) {
        let parameters = request.query
        let limit = Int(parameters["limit"] ?? "100")
        let offset = Int(parameters["offset"] ?? "0")
        guard let limit, let offset, (1...Self.maximumLimit).contains(limit), (0...Self.maximumOffset).contains(offset) else {
            throw APIError(.badRequest, "invalid_paging", "limit is 1 to \(Self.maximumLimit), offset 0 to \(Self.maximumOffset)")
        }
        return (limit, offset)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: WebContext) async throws -> T {
        var request = request
        let body = try await request.readBody(upTo: Self.maximumBody)
        do {
            return try APIJSON.decoder.decode(type, from: Data(body.readableBytesView))
        } catch {
            throw APIError(.badRequest, "invalid_json", "the body is not the JSON this operation takes")
        }
    }

    /// Turns the core's refusals into 422 (or 404, 409) answers that name the field.
    private func refusingInvalid<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ValidationError {
            throw APIError(.unprocessableContent, "invalid", error.description, fields: [.init(field: error.field ?? "", message: error.message.description)])
        } catch StoreError.duplicateUserID(let userID) {
            throw APIError(.conflict, "duplicate", "a user with user ID \(userID) exists")
        } catch let error as AdministrationError {
            throw APIError(.notFound, "not_found", error.description)
        } catch let error as WritebackError {
            throw APIError(.unprocessableContent, "directory_refused", "\(error.eventName): \(error.description)")
        }
    }

    private func json(_ value: some Encodable, _ request: Request, _ context: WebContext, status: HTTPResponse.Status = .ok) throws -> Response {
        try APIJSON.response(value, status: status, request, context)
    }
}
