import Foundation

/// Bulk import of users and their pre-populated contact data from CSV. Each row is created or, when the user exists,
/// updated; a bad row is reported with its line number and the others carry on.
///
/// Columns (header row, any order, names case-insensitive): `userID` (required), `displayName`, `givenName`,
/// `surname`, `password`, `mobilePhone`, `officePhone`, `alternateEmail`, `groups` and `roles` (`;`-separated),
/// `enabled` (`true`/`false`). Phones are international (`+33 6 12 34 56 78`). An empty cell leaves a value as it is.
///
/// An administrator's import is checked row by row against ``AdminAuthority``, exactly as the edit form would be: a
/// row that changes what they may not change is refused whole, with its reason, and the other rows carry on.
public struct UserImport: Sendable {
    public enum Outcome: Sendable, Hashable {
        case created(line: Int, userID: String)
        case updated(line: Int, userID: String)
        case failed(line: Int, message: String)
        /// The row asks for a change the importing administrator's roles do not allow; nothing of it was applied.
        case refused(line: Int, reason: LocalizedText)

        public var line: Int {
            switch self {
            case .created(let line, _), .updated(let line, _), .failed(let line, _), .refused(let line, _): line
            }
        }

        /// Whether the row was applied.
        public var isApplied: Bool {
            switch self {
            case .created, .updated: true
            case .failed, .refused: false
            }
        }
    }

    /// Who runs an import, which sets what its rows may change.
    public enum Importer: Sendable {
        /// The server's operator — the command line — who holds no role and needs none: whoever runs it already
        /// controls the server.
        case serverOperator
        /// A signed-in administrator, held to what their roles allow on each row's user.
        case administrator(User)
        /// An API bearer token, held to the authority of its scope (a `users` token is a user administrator).
        case token(TokenScope)
    }

    public struct Progress: Sendable, Hashable {
        public let done: Int
        public let total: Int
    }

    static let columns: [String: String] = [
        "userid": "userID", "upn": "userID", "userprincipalname": "userID",
        "displayname": "displayName", "givenname": "givenName", "firstname": "givenName",
        "surname": "surname", "lastname": "surname", "password": "password",
        "mobilephone": "mobilePhone", "mobile": "mobilePhone",
        "officephone": "officePhone", "telephonenumber": "officePhone",
        "alternateemail": "alternateEmail", "groups": "groups", "roles": "roles", "enabled": "enabled",
    ]

    private let administration: UserAdministration
    private let store: any UserStore

    public init(administration: UserAdministration, store: any UserStore) {
        self.administration = administration
        self.store = store
    }

    /// Imports `text`, calling `progress` every `progressEvery` rows and at the end.
    public func run(
        _ text: String, by importer: Importer, actor: String, progressEvery: Int = 100, progress: (Progress) -> Void = { _ in }
    ) async throws -> [Outcome] {
        var outcomes: [Outcome] = []
        let records: [CSV.Record]
        do {
            records = try CSV.read(text) { outcomes.append(.failed(line: $0.line, message: $0.description)) }
        } catch {
            return outcomes + [.failed(line: error.line, message: error.description)]
        }
        guard let header = records.first else { return [.failed(line: 1, message: "the file is empty")] }
        let names = try mapHeader(header)
        let rows = records.dropFirst()
        for (index, record) in rows.enumerated() {
            outcomes.append(await importRow(record, names: names, importer: importer, actor: actor))
            if (index + 1) % progressEvery == 0 || index + 1 == rows.count {
                progress(Progress(done: index + 1, total: rows.count))
            }
        }
        return outcomes.sorted { $0.line < $1.line }
    }

    private func mapHeader(_ header: CSV.Record) throws(UserImportError) -> [String] {
        let names = header.fields.map { Self.columns[$0.trimmingCharacters(in: .whitespaces).lowercased()] }
        if let unknown = zip(header.fields, names).first(where: { $0.1 == nil }) {
            throw .unknownColumn(unknown.0)
        }
        let known = names.compactMap { $0 }
        guard known.contains("userID") else { throw .missingUserID }
        return known
    }

    private func importRow(_ record: CSV.Record, names: [String], importer: Importer, actor: String) async -> Outcome {
        guard record.fields.count <= names.count else {
            return .failed(line: record.line, message: "\(record.fields.count) fields, but the header has \(names.count)")
        }
        var values: [String: String] = [:]
        for (name, value) in zip(names, record.fields) where !value.trimmingCharacters(in: .whitespaces).isEmpty {
            values[name] = value
        }
        do {
            let draft = try Self.draft(values)
            let existing = try await store.user(userID: draft.userID)
            switch importer {
            case .serverOperator:
                break
            case .administrator(let signedIn):
                // Read again for every row: an earlier row may have taken a role from the administrator importing.
                // Deleted or disabled meanwhile: no role left, so every row is refused.
                let administrator = try await store.user(id: signedIn.id).flatMap { $0.enabled ? $0 : nil }
                    ?? User(id: signedIn.id, userID: signedIn.userID, createdAt: signedIn.createdAt)
                if let reason = AdminAuthority.refusal(toApply: draft, by: administrator, on: existing) {
                    return .refused(line: record.line, reason: reason)
                }
            case .token(let scope):
                if let reason = AdminAuthority.refusal(toApply: draft, by: scope.authority, on: existing) {
                    return .refused(line: record.line, reason: reason)
                }
            }
            if existing != nil {
                return .updated(line: record.line, userID: try await administration.update(draft, actor: actor).userID)
            }
            // The operator's own import, like `sesame user add`, provisions passwords meant to stay
            // (docs/behaviour.md#administrator-set-passwords); an administrator's or a token's must be changed.
            let operatorsOwn = if case .serverOperator = importer { true } else { false }
            return .created(line: record.line, userID: try await administration.add(draft, actor: actor, initialPasswordStays: operatorsOwn).userID)
        } catch {
            return .failed(line: record.line, message: String(describing: error))
        }
    }

    static func draft(_ values: [String: String]) throws(ValidationError) -> UserDraft {
        guard let userID = values["userID"] else { throw ValidationError("field.required", field: "userID") }
        let list = { (key: String) in values[key].map { $0.split(separator: ";").map(String.init) } }
        var enabled: Bool? = nil
        if let text = values["enabled"]?.lowercased() {
            guard let value = Bool(text) else { throw ValidationError("field.boolean", field: "enabled") }
            enabled = value
        }
        var roles: Set<Role>? = nil
        if let text = values["roles"] {
            do { roles = try Role.parseList(text) } catch { throw error.on("roles") }
        }
        return UserDraft(
            userID: userID, password: values["password"], displayName: values["displayName"],
            givenName: values["givenName"], surname: values["surname"], mobilePhone: values["mobilePhone"],
            officePhone: values["officePhone"], alternateEmail: values["alternateEmail"], groups: list("groups"),
            roles: roles, enabled: enabled)
    }
}

public enum UserImportError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownColumn(String)
    case missingUserID

    public var description: String {
        switch self {
        case .unknownColumn(let name): "line 1: unknown column \"\(name)\""
        case .missingUserID: "line 1: the header has no userID column"
        }
    }
}

extension CSV.ReadError {
    var line: Int {
        switch self {
        case .unterminatedQuote(let line), .fieldTooLong(let line): line
        }
    }
}
