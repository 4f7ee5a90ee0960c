import Foundation
import SesameCore

/// Rows sent to PostgreSQL as one JSON array and read back with `jsonb_to_recordset`, so that a batch of thousands
/// is one statement per table (docs/scale.md#batches). Each row names its columns; a `nil` is left out, which
/// `jsonb_to_recordset` reads as NULL; bytes travel as base64.
///
/// Written by hand: the rows are flat, and Foundation's `JSONEncoder` (with its snake_case keys) took a third of an
/// import's processor time on PostgreSQL.
enum JSONRows {
    static func encode(_ rows: [some JSONRow]) throws -> String {
        var object = JSONObject()
        object.text.append("[")
        for (index, row) in rows.enumerated() {
            object.open(after: index > 0)
            try row.write(to: &object)
            object.text.append("}")
        }
        object.text.append("]")
        return object.text
    }
}

/// A row of ``JSONRows``: its columns by name.
protocol JSONRow {
    func write(to object: inout JSONObject) throws
}

/// Column names to text: the roles', groups' and search terms' rows.
extension Dictionary: JSONRow where Key == String, Value == String {
    func write(to object: inout JSONObject) {
        for (column, value) in self { object.add(column, value) }
    }
}

/// The JSON objects of ``JSONRows``, written one after the other into one text.
struct JSONObject {
    fileprivate(set) var text = ""
    private var empty = true

    /// Starts the next object.
    mutating func open(after previous: Bool) {
        text.append(previous ? ",{" : "{")
        empty = true
    }

    mutating func add(_ column: String, _ value: String?) {
        guard let value else { return }
        key(column)
        Self.quote(value, into: &text)
    }

    /// A number that is not finite has no JSON form: refused, as Foundation's encoder did, rather than written as NULL
    /// (which would, say, clear a lock held until infinity).
    mutating func add(_ column: String, _ value: Double?) throws {
        guard let value else { return }
        guard value.isFinite else { throw StoreError.unavailable("\(column) is \(value), which JSON cannot carry") }
        key(column)
        text.append(value.description)
    }

    mutating func add(_ column: String, _ value: Int) {
        key(column)
        text.append(String(value))
    }

    mutating func add(_ column: String, _ value: Bool) {
        key(column)
        text.append(value ? "true" : "false")
    }

    mutating func add(_ column: String, _ value: Data?) {
        add(column, value?.base64EncodedString())
    }

    private mutating func key(_ column: String) {
        if !empty { text.append(",") }
        empty = false
        Self.quote(column, into: &text)
        text.append(":")
    }

    /// A JSON string: quotes, backslashes and control characters escaped (RFC 8259 §7), the rest as it is.
    static func quote(_ value: String, into text: inout String) {
        text.append("\"")
        if value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": text.append("\\\"")
                case "\\": text.append("\\\\")
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    text.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                default: text.unicodeScalars.append(scalar)
                }
            }
        } else {
            text.append(value)
        }
        text.append("\"")
    }
}

/// What an insert needs before ``PostgresStore/save(_:on:logger:)`` writes the rest.
struct NewUserRow: JSONRow {
    let id: String
    let userId: String
    let createdAt: Double

    init(_ user: User) {
        id = user.id.uuidString
        userId = user.userID.lowercased()
        createdAt = user.createdAt.unixSeconds
    }

    func write(to object: inout JSONObject) throws {
        object.add("id", id)
        object.add("user_id", userId)
        try object.add("created_at", createdAt)
    }
}

/// Every column ``PostgresStore/save(_:on:logger:)`` writes.
struct UserRow: JSONRow {
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

    func write(to object: inout JSONObject) throws {
        object.add("id", id)
        object.add("user_id", userId)
        object.add("display_name", displayName)
        object.add("given_name", givenName)
        object.add("surname", surname)
        object.add("enabled", enabled)
        object.add("source", source)
        object.add("password_hash", passwordHash)
        try object.add("password_changed_at", passwordChangedAt)
        object.add("password_change_required", passwordChangeRequired)
        object.add("lockout_failures", lockoutFailures)
        try object.add("locked_until", lockedUntil)
        object.add("lockout_recent", lockoutRecent)
        try object.add("lockout_last_failure", lockoutLastFailure)
        object.add("locale", locale)
        object.add("authentication_phone", authenticationPhone)
        object.add("authentication_email", authenticationEmail)
        object.add("mobile_phone", mobilePhone)
        object.add("office_phone", officePhone)
        object.add("alternate_email", alternateEmail)
        try object.add("registered_at", registeredAt)
        try object.add("last_confirmed_at", lastConfirmedAt)
        object.add("authenticator_secret", authenticatorSecret)
        object.add("coverage", coverage)
    }
}

struct AnswerRow: JSONRow {
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

    func write(to object: inout JSONObject) throws {
        object.add("user_id", userId)
        object.add("position", position)
        object.add("question", question)
        object.add("answer_hash", answerHash)
    }
}

struct AuditRow: JSONRow {
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

    func write(to object: inout JSONObject) throws {
        object.add("id", id)
        try object.add("at", at)
        object.add("activity", activity)
        object.add("actor", actor)
        object.add("target", target)
        object.add("status", status)
        object.add("detail", detail)
        object.add("failure_reason", failureReason)
        object.add("request_id", requestId)
    }
}

struct ResetRow: JSONRow {
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

    func write(to object: inout JSONObject) throws {
        object.add("id", id)
        try object.add("at", at)
        object.add("user_id", userId)
        object.add("role", role)
        object.add("methods", methods)
        object.add("detail", detail)
        object.add("request_id", requestId)
    }
}

struct RegistrationRow: JSONRow {
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

    func write(to object: inout JSONObject) throws {
        object.add("id", id)
        try object.add("at", at)
        object.add("user_id", userId)
        object.add("role", role)
        object.add("data_registered", dataRegistered)
    }
}
