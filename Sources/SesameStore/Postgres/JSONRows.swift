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

/// What ``PostgresStore/save(_:on:logger:)`` writes of a user's row, keyed by its id, and for an insert the creation
/// time.
struct UserRow: JSONRow {
    let user: User
    let withCreation: Bool

    func write(to object: inout JSONObject) throws {
        let data = user.authentication
        object.add("id", user.id.text)
        object.add("user_id", user.userID.lowercased())
        object.add("display_name", user.displayName)
        object.add("given_name", user.givenName)
        object.add("surname", user.surname)
        object.add("enabled", user.enabled)
        object.add("source", user.source.rawValue)
        object.add("password_hash", user.passwordHash)
        try object.add("password_changed_at", user.passwordChangedAt?.unixSeconds)
        object.add("password_change_required", user.passwordChangeRequired)
        object.add("lockout_failures", user.lockout.failures)
        try object.add("locked_until", user.lockout.lockedUntil?.unixSeconds)
        object.add("lockout_recent", user.lockout.recentWrongPasswords.joined(separator: ","))
        try object.add("lockout_last_failure", user.lockout.lastFailureAt?.unixSeconds)
        object.add("locale", user.locale?.rawValue)
        object.add("authentication_phone", data.authenticationPhone?.e164)
        object.add("authentication_email", data.authenticationEmail?.value)
        object.add("mobile_phone", data.mobilePhone?.e164)
        object.add("office_phone", data.officePhone?.e164)
        object.add("alternate_email", data.alternateEmail?.value)
        try object.add("registered_at", user.registration.registeredAt?.unixSeconds)
        try object.add("last_confirmed_at", user.registration.lastConfirmedAt?.unixSeconds)
        object.add("authenticator_secret", data.sealedAuthenticatorSecret)
        object.add("coverage", CoverageProfile(user).key)
        if withCreation { try object.add("created_at", user.createdAt.unixSeconds) }
    }
}

struct AnswerRow: JSONRow {
    let userID: String
    let position: Int
    let question: String
    let answerHash: String

    func write(to object: inout JSONObject) throws {
        object.add("user_id", userID)
        object.add("position", position)
        object.add("question", question)
        object.add("answer_hash", answerHash)
    }
}

struct AuditRow: JSONRow {
    let event: AuditEvent

    func write(to object: inout JSONObject) throws {
        object.add("id", event.id.text)
        try object.add("at", event.at.unixSeconds)
        object.add("activity", event.activity.rawValue)
        object.add("actor", event.actor)
        object.add("target", event.target)
        object.add("status", event.status.rawValue)
        object.add("detail", event.detail)
        object.add("failure_reason", event.failureReason)
        object.add("request_id", event.requestID)
    }
}

struct ResetRow: JSONRow {
    let activity: ResetActivity

    func write(to object: inout JSONObject) throws {
        object.add("id", activity.id.text)
        try object.add("at", activity.at.unixSeconds)
        object.add("user_id", activity.userID)
        object.add("role", activity.role)
        object.add("methods", activity.methodsUsed.map(\.rawValue).joined(separator: ","))
        object.add("detail", activity.detail.code)
        object.add("request_id", activity.requestID)
    }
}

struct RegistrationRow: JSONRow {
    let activity: RegistrationActivity

    func write(to object: inout JSONObject) throws {
        object.add("id", activity.id.text)
        try object.add("at", activity.at.unixSeconds)
        object.add("user_id", activity.userID)
        object.add("role", activity.role)
        object.add("data_registered", activity.dataRegistered.rawValue)
    }
}
