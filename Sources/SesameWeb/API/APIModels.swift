import Foundation
import Hummingbird
import SesameCore

/// A user as the JSON API shows it: never a password hash or a security answer.
struct UserResource: ResponseCodable {
    let userID: String
    let displayName: String
    let givenName: String
    let surname: String
    let source: String
    let enabled: Bool
    let roles: [String]
    let groups: [String]
    let mobilePhone: String?
    let officePhone: String?
    let alternateEmail: String?
    let hasPassword: Bool
    let lockedUntil: Date?
    let registration: RegistrationResource
    /// In the view of one user only: a list would read every user's passkeys.
    var passkeys: [PasskeyResource]?

    init(_ user: User, policy: Policy, now: Date) {
        userID = user.userID
        displayName = user.displayName
        givenName = user.givenName
        surname = user.surname
        source = user.source.rawValue
        enabled = user.enabled
        roles = user.roles.sorted().map(\.rawValue)
        groups = user.groups.sorted()
        mobilePhone = user.authentication.mobilePhone?.e164
        officePhone = user.authentication.officePhone?.e164
        alternateEmail = user.authentication.alternateEmail?.value
        hasPassword = user.passwordHash != nil
        lockedUntil = user.lockout.isLocked(at: now) ? user.lockout.lockedUntil : nil
        registration = RegistrationResource(user, policy: policy, now: now)
    }
}

/// A passkey as the API shows it: never its key or credential ID, which no administrator needs.
struct PasskeyResource: ResponseCodable {
    let id: UUID
    let name: String
    let createdAt: Date
    let lastUsedAt: Date?

    init(_ passkey: Passkey) {
        id = passkey.id
        name = passkey.name
        createdAt = passkey.createdAt
        lastUsedAt = passkey.lastUsedAt
    }
}

/// Whether a user must (re-)register, so that another application can send them to `/register`.
struct RegistrationResource: ResponseCodable {
    let registered: Bool
    let registeredAt: Date?
    let lastConfirmedAt: Date?
    /// `register`, `reconfirm`, or `null` when nothing is due.
    let due: String?
    /// The methods the user's data can serve under the policy that applies to them.
    let usableMethods: [String]
    let methodsRequired: Int

    init(_ user: User, policy: Policy, now: Date) {
        registered = user.registration.isRegistered
        registeredAt = user.registration.registeredAt
        lastConfirmedAt = user.registration.lastConfirmedAt
        due = policy.registrationInterrupt(for: user, now: now)?.rawValue
        let effective = policy.effective(for: user)
        usableMethods = effective.usableMethods(of: user.authentication).map(\.rawValue).sorted()
        methodsRequired = effective.methodsRequired
    }
}

/// The terms of a temporary access pass; absent fields take the defaults (60 minutes, 12 characters, single use).
package struct AccessPassBody: Decodable {
    let lifetimeMinutes: Int?
    let length: Int?
    let singleUse: Bool?

    var terms: AccessPassTerms {
        let defaults = AccessPassTerms()
        let lifetime = lifetimeMinutes.map { TimeInterval($0) * 60 } ?? defaults.lifetime
        return AccessPassTerms(lifetime: lifetime, length: length ?? defaults.length, singleUse: singleUse ?? defaults.singleUse)
    }
}

/// How many sessions an administrator's sign-out ended.
struct EndedSessions: Encodable {
    let ended: Int
}

/// A pass as issued: shown in this answer only.
struct AccessPassResource: Encodable {
    let pass: String
    let expiresAt: Date
    let singleUse: Bool

    init(_ issued: AccessPassService.Issued) {
        pass = issued.pass
        expiresAt = issued.expiresAt
        singleUse = issued.singleUse
    }
}

/// The body of a user's creation or change: absent fields are left as they are.
package struct UserBody: Decodable {
    let userID: String?
    let password: String?
    let displayName: String?
    let givenName: String?
    let surname: String?
    let mobilePhone: String?
    let officePhone: String?
    let alternateEmail: String?
    let groups: [String]?
    let roles: [String]?
    let enabled: Bool?

    package func draft(userID: String) throws(ValidationError) -> UserDraft {
        var parsed: Set<Role>?
        if let roles { parsed = try Role.parseList(roles.joined(separator: ";")) }
        return UserDraft(
            userID: userID, password: password, displayName: displayName, givenName: givenName, surname: surname,
            mobilePhone: mobilePhone, officePhone: officePhone, alternateEmail: alternateEmail, groups: groups, roles: parsed,
            enabled: enabled)
    }
}

struct UserList: ResponseCodable {
    let users: [UserResource]
    let limit: Int
    let offset: Int
    /// The next page's `after=`; absent on the last page (docs/scale.md#search).
    let next: String?
}

struct ImportRow: ResponseCodable {
    let line: Int
    /// `created`, `updated` or `failed`.
    let result: String
    let userID: String?
    let message: String?
}

struct ImportResult: ResponseCodable {
    let rows: [ImportRow]
}

/// A page of a report or of the audit log: the columns' ids and the rows as objects keyed by them.
struct ReportPage: ResponseCodable {
    let from: String
    let to: String
    let limit: Int
    let offset: Int
    /// The next page's `after=`; absent on the last page (docs/scale.md#reports).
    let next: String?
    let rows: [[String: String]]
}

/// Every error: a stable code, a message in English, and per-field details when a value was refused.
struct APIErrorBody: ResponseCodable {
    struct FieldError: Codable {
        let field: String
        let message: String
    }

    let code: String
    let message: String
    let fields: [FieldError]?
}

struct APIError: Error, HTTPResponseError {
    let status: HTTPResponse.Status
    let body: APIErrorBody

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, fields: [APIErrorBody.FieldError]? = nil) {
        self.status = status
        body = APIErrorBody(code: code, message: message, fields: fields)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try APIJSON.response(body, status: status, request, context)
    }

    static let unauthorized = APIError(.unauthorized, "unauthorized", "a valid bearer token is required (sesame token create); this one is missing, unknown, revoked or expired")

    /// The token is good, but its scope does not reach this operation.
    static func insufficientScope(_ held: TokenScope?, needs needed: TokenScope) -> APIError {
        APIError(.forbidden, "insufficient_scope", "this operation needs a token of scope \(needed) or wider; this token's scope is \(held.map(\.rawValue) ?? "none")")
    }

    /// The token's scope reaches the operation, but not this user: a `users` token has a user administrator's
    /// authority, and `reason` is what that authority does not allow.
    static func insufficientScope(_ held: TokenScope, refused reason: LocalizedText) -> APIError {
        APIError(.forbidden, "insufficient_scope", "a token of scope \(held) has a user administrator's authority, which refuses this: \(reason)")
    }
    static let notFound = APIError(.notFound, "not_found", "no such user")
}

package enum APIJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// `value` as the API's JSON, with `status`.
    static func response(_ value: some Encodable, status: HTTPResponse.Status, _ request: Request, _ context: some RequestContext) throws -> Response {
        var response = try encoder.encode(value, from: request, context: context)
        response.status = status
        return response
    }

    package static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
