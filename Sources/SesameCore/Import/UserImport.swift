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

    /// Rows checked and written per transaction (docs/scale.md#batches).
    public static let batchSize = 2_000

    /// Imports `text`, calling `progress` every `progressEvery` rows and at the end.
    ///
    /// Rows are taken in user ID order, a batch at a time: the batch's existing users in one query, then each new user
    /// checked (and its password hashed) and written with the others and their audit events in one transaction. A row
    /// for an existing user is applied on its own, with everything an administrator's edit does (sessions ended,
    /// notices sent). A batch's transaction runs while the next batch is checked (docs/scale.md#batches).
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
        let rows = Self.inUserIDOrder(records.dropFirst(), names: names)
        var done = 0
        func dealtWith(_ some: [Outcome]) {
            outcomes += some
            for _ in some {
                done += 1
                if done % progressEvery == 0 || done == rows.count { progress(Progress(done: done, total: rows.count)) }
            }
        }
        var writing = BatchWrites<[Outcome]>()
        do {
            for start in stride(from: 0, to: rows.count, by: Self.batchSize) {
                let (drafts, failed) = Self.drafts(of: rows[start..<min(start + Self.batchSize, rows.count)], names: names)
                dealtWith(failed)
                for written in await writing.waitIfWriting(any: drafts.map { $0.draft.userID.lowercased() }) { dealtWith(written) }
                let (applied, pending) = try await importBatch(drafts, importer: importer, actor: actor, written: dealtWith)
                let store = store
                writing.start(pending.userIDs) { await pending.write(to: store) }
                dealtWith(applied)
                for written in await writing.beyondLimit() { dealtWith(written) }
            }
        } catch {
            // What was handed to the store is written before the error is told, never left running behind it.
            _ = await writing.finish()
            throw error
        }
        for written in await writing.finish() { dealtWith(written) }
        return outcomes.sorted { $0.line < $1.line }
    }

    /// The rows in user ID order, a user's own rows in the file's order (docs/scale.md#batches): a batch's new users
    /// then sit side by side in the stores' indexes, where a file in any other order would scatter them over every
    /// page. An import of 100,000 users in random order into a million took half the time once sorted.
    static func inUserIDOrder(_ records: ArraySlice<CSV.Record>, names: [String]) -> [CSV.Record] {
        // The user ID the row's draft will have (the last of its user ID columns that holds one), as it is stored.
        let key = { (record: CSV.Record) in ((try? fields(of: record, names: names))?["userID"]?.trimmingWhiteSpace() ?? "").lowercased() }
        return records
            .map { (key: key($0), record: $0) }
            .sorted { ($0.key, $0.record.line) < ($1.key, $1.record.line) }
            .map(\.record)
    }

    /// The rows of a batch as drafts, and the outcomes of those that are not.
    private static func drafts(
        of records: ArraySlice<CSV.Record>, names: [String]
    ) -> (drafts: [(record: CSV.Record, draft: UserDraft)], failed: [Outcome]) {
        var drafts: [(record: CSV.Record, draft: UserDraft)] = []
        var failed: [Outcome] = []
        for record in records {
            do {
                drafts.append((record, try draft(fields(of: record, names: names))))
            } catch {
                failed.append(.failed(line: record.line, message: String(describing: error)))
            }
        }
        return (drafts, failed)
    }

    /// One batch's rows: existing users updated one by one, new ones checked and returned to be written together.
    /// Should the file name a new user twice, the users before the second row are written first, and `written` told.
    private func importBatch(
        _ drafts: [(record: CSV.Record, draft: UserDraft)], importer: Importer, actor: String, written: ([Outcome]) -> Void
    ) async throws -> (outcomes: [Outcome], pending: Pending) {
        var outcomes: [Outcome] = []
        let policy = try await administration.currentPolicy()
        var existing = Dictionary(
            try await store.users(userIDs: drafts.map { $0.draft.userID.lowercased() }).map { ($0.userID.lowercased(), $0) },
            uniquingKeysWith: { first, _ in first })
        var pending = Pending()
        for (record, draft) in drafts {
            let key = draft.userID.lowercased()
            if pending.userIDs.contains(key) {
                // The file names this user twice: the first row must be written before the second updates it.
                written(await pending.write(to: store))
                pending = Pending()
                existing[key] = try await store.user(userID: draft.userID)
            }
            if let refusal = try await refusal(of: draft, by: importer, on: existing[key]) {
                outcomes.append(.refused(line: record.line, reason: refusal))
                continue
            }
            do {
                if existing[key] != nil {
                    outcomes.append(.updated(line: record.line, userID: try await administration.update(draft, actor: actor).userID))
                    continue
                }
                // The operator's own import, like `sesame user add`, provisions passwords meant to stay
                // (docs/behaviour.md#administrator-set-passwords); an administrator's or a token's must be changed.
                let operatorsOwn = if case .serverOperator = importer { true } else { false }
                let user = try await administration.newUser(draft, policy: policy, initialPasswordStays: operatorsOwn)
                pending.add(user, line: record.line, event: administration.createdEvent(user, actor: actor))
            } catch {
                outcomes.append(.failed(line: record.line, message: String(describing: error)))
            }
        }
        return (outcomes, pending)
    }

    /// Why the importer may not apply this row, if they may not.
    private func refusal(of draft: UserDraft, by importer: Importer, on existing: User?) async throws -> LocalizedText? {
        switch importer {
        case .serverOperator:
            return nil
        case .administrator(let signedIn):
            // Read again for every row: an earlier row may have taken a role from the administrator importing.
            // Deleted or disabled meanwhile: no role left, so every row is refused.
            let administrator = try await store.user(id: signedIn.id).flatMap { $0.enabled ? $0 : nil }
                ?? User(id: signedIn.id, userID: signedIn.userID, createdAt: signedIn.createdAt)
            return AdminAuthority.refusal(toApply: draft, by: administrator, on: existing)
        case .token(let scope):
            return AdminAuthority.refusal(toApply: draft, by: scope.authority, on: existing)
        }
    }

    /// New users not yet written, and the lines they came from.
    private struct Pending: Sendable {
        var batch = UserBatch()
        var lines: [Int] = []
        var userIDs: Set<String> = []

        mutating func add(_ user: User, line: Int, event: AuditEvent) {
            batch.inserts.append(user)
            batch.audit.append(event)
            lines.append(line)
            userIDs.insert(user.userID.lowercased())
        }

        /// Writes the batch in one transaction; should it fail, the users one by one.
        func write(to store: any UserStore) async -> [Outcome] {
            guard !lines.isEmpty else { return [] }
            do {
                try await store.apply(batch)
                return zip(lines, batch.inserts).map { .created(line: $0, userID: $1.userID) }
            } catch {
                // One row spoils the transaction (a user ID taken meanwhile, a value the database refuses): each user
                // is written alone, so that only its row fails and every other row reports its own outcome.
                var outcomes: [Outcome] = []
                for (index, user) in batch.inserts.enumerated() {
                    var single = UserBatch()
                    single.inserts = [user]
                    single.audit = [batch.audit[index]]
                    do {
                        try await store.apply(single)
                        outcomes.append(.created(line: lines[index], userID: user.userID))
                    } catch {
                        outcomes.append(.failed(line: lines[index], message: String(describing: error)))
                    }
                }
                return outcomes
            }
        }
    }

    private func mapHeader(_ header: CSV.Record) throws(UserImportError) -> [String] {
        let names = header.fields.map { Self.columns[$0.trimmingWhiteSpace().lowercased()] }
        if let unknown = zip(header.fields, names).first(where: { $0.1 == nil }) {
            throw .unknownColumn(unknown.0)
        }
        let known = names.compactMap { $0 }
        guard known.contains("userID") else { throw .missingUserID }
        return known
    }

    /// The row's non-empty cells by column name; more cells than columns is an error.
    private static func fields(of record: CSV.Record, names: [String]) throws(UserImportError) -> [String: String] {
        guard record.fields.count <= names.count else { throw .tooManyFields(record.fields.count, header: names.count) }
        var values: [String: String] = [:]
        for (name, value) in zip(names, record.fields) where !value.allSatisfy(\.isWhitespace) {
            values[name] = value
        }
        return values
    }

    static func draft(_ values: [String: String]) throws(ValidationError) -> UserDraft {
        // Trimmed as a user ID is stored, so that " alice@contoso.com" finds and updates Alice.
        guard let userID = values["userID"]?.trimmingWhiteSpace() else {
            throw ValidationError("field.required", field: "userID")
        }
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
    case tooManyFields(Int, header: Int)

    public var description: String {
        switch self {
        case .unknownColumn(let name): "line 1: unknown column \"\(name)\""
        case .missingUserID: "line 1: the header has no userID column"
        case .tooManyFields(let count, let header): "\(count) fields, but the header has \(header)"
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
