import Foundation
import SesameCore

/// Rows sent to PostgreSQL as one JSON array and read back with `jsonb_to_recordset`, so that a batch of thousands
/// is one statement per table (docs/scale.md#batches). Property names become the columns' snake_case names; a `nil`
/// is left out, which `jsonb_to_recordset` reads as NULL; bytes travel as base64.
enum JSONRows {
    static func encode(_ rows: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(rows), as: UTF8.self)
    }
}

/// What an insert needs before ``PostgresStore/save(_:on:logger:)`` writes the rest.
struct NewUserRow: Encodable {
    let id: String
    let userId: String
    let createdAt: Double

    init(_ user: User) {
        id = user.id.uuidString
        userId = user.userID.lowercased()
        createdAt = user.createdAt.unixSeconds
    }
}

/// Every column ``PostgresStore/save(_:on:logger:)`` writes.
struct UserRow: Encodable {
    let id: String
    let userId: String
    let displayName: String
    let givenName: String
    let surname: String
    let enabled: Bool
    let source: String
    let passwordHash: String?
    let passwordChangedAt: Double?
    let passwordChangeRequired: Bool
    let lockoutFailures: Int
    let lockedUntil: Double?
    let lockoutRecent: String
    let lockoutLastFailure: Double?
    let locale: String?
    let authenticationPhone: String?
    let authenticationEmail: String?
    let mobilePhone: String?
    let officePhone: String?
    let alternateEmail: String?
    let registeredAt: Double?
    let lastConfirmedAt: Double?
    let authenticatorSecret: Data?
    let coverage: String

    init(_ user: User) {
        let data = user.authentication
        id = user.id.uuidString
        userId = user.userID.lowercased()
        displayName = user.displayName
        givenName = user.givenName
        surname = user.surname
        enabled = user.enabled
        source = user.source.rawValue
        passwordHash = user.passwordHash
        passwordChangedAt = user.passwordChangedAt?.unixSeconds
        passwordChangeRequired = user.passwordChangeRequired
        lockoutFailures = user.lockout.failures
        lockedUntil = user.lockout.lockedUntil?.unixSeconds
        lockoutRecent = user.lockout.recentWrongPasswords.joined(separator: ",")
        lockoutLastFailure = user.lockout.lastFailureAt?.unixSeconds
        locale = user.locale?.rawValue
        authenticationPhone = data.authenticationPhone?.e164
        authenticationEmail = data.authenticationEmail?.value
        mobilePhone = data.mobilePhone?.e164
        officePhone = data.officePhone?.e164
        alternateEmail = data.alternateEmail?.value
        registeredAt = user.registration.registeredAt?.unixSeconds
        lastConfirmedAt = user.registration.lastConfirmedAt?.unixSeconds
        authenticatorSecret = data.sealedAuthenticatorSecret
        coverage = CoverageProfile(user).key
    }
}

struct AnswerRow: Encodable {
    let userId: String
    let position: Int
    let question: String
    let answerHash: String

    init(userID: String, position: Int, question: String, answerHash: String) {
        userId = userID
        self.position = position
        self.question = question
        self.answerHash = answerHash
    }
}

struct AuditRow: Encodable {
    let id: String
    let at: Double
    let activity: String
    let actor: String
    let target: String
    let status: String
    let detail: String
    let failureReason: String?
    let requestId: String?

    init(_ event: AuditEvent) {
        id = event.id.uuidString
        at = event.at.unixSeconds
        activity = event.activity.rawValue
        actor = event.actor
        target = event.target
        status = event.status.rawValue
        detail = event.detail
        failureReason = event.failureReason
        requestId = event.requestID
    }
}

struct ResetRow: Encodable {
    let id: String
    let at: Double
    let userId: String
    let role: String
    let methods: String
    let detail: String
    let requestId: String?

    init(_ activity: ResetActivity) {
        id = activity.id.uuidString
        at = activity.at.unixSeconds
        userId = activity.userID
        role = activity.role
        methods = activity.methodsUsed.map(\.rawValue).joined(separator: ",")
        detail = activity.detail.code
        requestId = activity.requestID
    }
}

struct RegistrationRow: Encodable {
    let id: String
    let at: Double
    let userId: String
    let role: String
    let dataRegistered: String

    init(_ activity: RegistrationActivity) {
        id = activity.id.uuidString
        at = activity.at.unixSeconds
        userId = activity.userID
        role = activity.role
        dataRegistered = activity.dataRegistered.rawValue
    }
}
