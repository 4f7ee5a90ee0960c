import Foundation
import GRDB
import SesameCore

// MARK: UserStore

extension SQLiteStore {
    public func insertUser(_ user: User) async throws {
        let rows = UserRows(user)
        try await write { db in try Self.insert(rows, in: db) }
    }

    public func updateUser(_ user: User) async throws {
        let rows = UserRows(user)
        try await write { db in try Self.update(rows, in: db) }
    }

    public func apply(_ batch: UserBatch) async throws {
        // The users' rows are made before the transaction, while the batch before may still be written: the writer,
        // which every other write waits for, only writes.
        let inserts = batch.inserts.map(UserRows.init), updates = batch.updates.map(UserRows.init)
        // A cancelled import's batches fail here, without waiting for the turn; one already handed to the writer is
        // written whole.
        try Task.checkCancellation()
        await batchTurn.take()
        let written: Result<Void, any Error>
        do {
            try await write(alone: true) { db in
                try db.execute(sql: Self.writerForBatches)
                for rows in inserts { try Self.insert(rows, in: db) }
                for rows in updates { try Self.update(rows, in: db) }
                for event in batch.audit { try Self.insert(event, in: db) }
                for activity in batch.registrations { try Self.insert(activity, in: db) }
                for activity in batch.resets { try Self.insert(activity, in: db) }
            }
            written = .success(())
        } catch {
            written = .failure(error)
        }
        if await !batchTurn.isAwaited { await giveBackTheWritersCache() }
        await batchTurn.pass()
        try written.get()
    }

    /// The writer's settings while batches are written (docs/scale.md#batches). A batch touches thousands of index
    /// pages (a user's search terms land all over their index):
    /// - with SQLite's default 2 MiB cache they would be written out in the middle of the transaction and read back;
    /// - copied into the database after each batch (by SQLite's default checkpoint, every 1,000 pages of WAL, or by
    ///   ``WALCheckpointer``), each batch's pages would be copied again and again, since the next batches touch many
    ///   of them: the WAL holds 256 MiB (several batches) between checkpoints instead, the checkpointer waits for the
    ///   batches to end, and the WAL file keeps its size from one to the next.
    static let writerForBatches = "PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 65536; PRAGMA journal_size_limit = -1"

    /// The writer's settings otherwise: SQLite's default cache; its own checkpoint only as a backstop, past 80 MiB of
    /// WAL, since ``WALCheckpointer`` copies the WAL off the requests' path (docs/architecture.md#checkpoints); and a WAL
    /// file cut back to 16 MiB when SQLite starts it over.
    static let writerOtherwise = "PRAGMA cache_size = -2000; PRAGMA wal_autocheckpoint = 20000; PRAGMA journal_size_limit = 16777216"

    /// Back to ``writerOtherwise``, with the WAL the batches left copied into the database now rather than at the next
    /// commit; even when the importing task was cancelled (GRDB would not start a cancelled task's write).
    private func giveBackTheWritersCache() async {
        let pool = pool
        try? await Task.detached {
            try await pool.writeWithoutTransaction {
                try $0.execute(sql: Self.writerOtherwise + "; PRAGMA shrink_memory")
                try $0.checkpoint(.passive)
            }
        }.value
    }

    public func user(id: UUID) async throws -> User? {
        try lookUp { db in
            try Self.users(from: Row.fetchAll(db, cached: "SELECT * FROM users WHERE id = ?", arguments: [id.text]), in: db).first
        }
    }

    public func user(userID: String) async throws -> User? {
        try lookUp { db in
            try Self.users(from: Row.fetchAll(db, cached: "SELECT * FROM users WHERE user_id = ?", arguments: [userID.lowercased()]), in: db).first
        }
    }

    public func users(userIDs: [String]) async throws -> [User] {
        try await read { db in try Self.users(where: "user_id", in: userIDs.map { $0.lowercased() }, in: db) }
    }

    public func users(_ query: UserQuery) async throws -> UserPage {
        try await read { db in
            guard !query.search.isEmpty else {
                // Every user by user ID: the unique index's order, from where the last page ended.
                let rows = try Row.fetchAll(db, sql: """
                    SELECT * FROM users WHERE user_id > :after ORDER BY user_id LIMIT :limit OFFSET :offset
                    """, arguments: ["after": query.after?.key ?? "", "limit": query.limit, "offset": query.offset])
                let users = try Self.users(from: rows, in: db)
                let next = users.count == query.limit ? users.last.map { UserCursor(key: $0.userID.lowercased(), id: $0.id) } : nil
                return UserPage(users: users, next: next)
            }
            // A range of the terms' index: from the search, or from the cursor (never below the search, see
            // UserQuery), as a row value. An `OR` on the cursor made SQLite read the whole index: a search that found
            // nothing took a second at a million users.
            let start = query.after == nil ? "term >= :low" : "(term, user_id) > (:key, :id)"
            let matches = try Row.fetchAll(db, sql: """
                SELECT term, user_id FROM user_search WHERE \(start) AND term < :high
                ORDER BY term, user_id LIMIT :limit OFFSET :offset
                """, arguments: [
                    "offset": query.offset,
                    "low": query.search, "high": UserSearch.upperBound(ofPrefix: query.search),
                    "key": query.after?.key ?? "", "id": query.after?.id.text ?? "", "limit": query.limit,
                ])
            let pairs = matches.map { (term: $0["term"] as String, id: $0["user_id"] as String) }
            let found = try Self.users(where: "id", in: Array(Set(pairs.map(\.id))), in: db)
            return UserPage(matches: pairs, users: found, limit: query.limit)
        }
    }

    public func userCount() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM users") ?? 0 }
    }

    public func userIDs(from source: UserSource) async throws -> [String] {
        // Read in the table's order, then sorted: walking the user ID index instead, as SQLite would to spare the sort,
        // reads every user's row at random (two seconds at a million users, where this takes a tenth of one).
        try await read { db in
            try String.fetchAll(db, sql: "SELECT user_id FROM users NOT INDEXED WHERE source = ? ORDER BY user_id", arguments: [source.rawValue])
        }
    }

    public func users(withRole role: Role, limit: Int) async throws -> [User] {
        try await read { db in
            try Self.users(from: Row.fetchAll(db, sql: """
                SELECT users.* FROM users JOIN user_roles ON user_roles.user_id = users.id
                WHERE user_roles.role = ? ORDER BY users.user_id LIMIT ?
                """, arguments: [role.rawValue, limit]), in: db)
        }
    }

    public func coverageCounts() async throws -> CoverageCounts {
        try await read { db in
            // Each GROUP BY reads one index, never the users' rows (docs/scale.md#reports).
            let profiles = try Row.fetchAll(db, sql: "SELECT coverage, count(*) AS n FROM users GROUP BY coverage")
            return CoverageCounts(
                usersByProfile: Dictionary(profiles.map { (($0["coverage"] as String?) ?? "", $0["n"] as Int) }, uniquingKeysWith: +),
                withRecoveryCodes: try Int.fetchOne(db, sql: "SELECT count(DISTINCT user_id) FROM recovery_codes") ?? 0,
                withPasskeys: try Int.fetchOne(db, sql: "SELECT count(DISTINCT user_id) FROM passkeys") ?? 0)
        }
    }

    public func deleteUser(id: UUID) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id.text])
            guard db.changesCount > 0 else { throw StoreError.notFound("user \(id)") }
        }
    }

    // MARK: AuthenticatorStore

    public func claimAuthenticatorStep(_ step: Int64, ofUser id: UUID) async throws -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE users SET authenticator_last_step = :step
                WHERE id = :id AND (authenticator_last_step IS NULL OR authenticator_last_step < :step)
                """, arguments: ["id": id.text, "step": step])
            return db.changesCount == 1
        }
    }

    // MARK: Mapping

    static func insert(_ rows: UserRows, in db: Database) throws {
        // Whether the user ID is taken is the unique index's to say, in the lookup the insert makes anyway: a query
        // first was one statement in ten of an import's writer.
        do {
            try db.cachedStatement(sql: insertSQL).execute(arguments: rows.columns)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && error.message == "UNIQUE constraint failed: users.user_id" {
            throw StoreError.duplicateUserID(rows.typedUserID)
        }
        try insertChildren(rows, in: db)
    }

    /// Writes every column and replaces the child rows and search terms; throws `notFound` for a user not stored.
    static func update(_ rows: UserRows, in db: Database) throws {
        try db.cachedStatement(sql: updateSQL).execute(arguments: rows.columns)
        guard db.changesCount > 0 else { throw StoreError.notFound("user \(rows.typedUserID)") }
        for table in ["user_roles", "user_groups", "security_answers", "user_search"] {
            try db.cachedStatement(sql: "DELETE FROM \(table) WHERE user_id = ?").execute(arguments: [rows.id])
        }
        try insertChildren(rows, in: db)
    }

    /// The roles, groups, security answers and search terms of a user whose row is written. Statements are cached: an
    /// import runs them thousands of times (docs/scale.md#batches).
    private static func insertChildren(_ rows: UserRows, in db: Database) throws {
        for role in rows.roles {
            try db.cachedStatement(sql: "INSERT INTO user_roles (user_id, role) VALUES (?, ?)").execute(arguments: [rows.id, role])
        }
        for group in rows.groups {
            try db.cachedStatement(sql: "INSERT INTO user_groups (user_id, group_name) VALUES (?, ?)").execute(arguments: [rows.id, group])
        }
        for answer in rows.answers {
            try db.cachedStatement(sql: "INSERT INTO security_answers (user_id, position, question, answer_hash) VALUES (?, ?, ?, ?)")
                .execute(arguments: answer)
        }
        for term in rows.terms {
            try db.cachedStatement(sql: "INSERT INTO user_search (term, user_id) VALUES (?, ?)").execute(arguments: [term, rows.id])
        }
    }

    /// What a save writes of a user: the users table's columns by name (each name is also its statement argument's),
    /// its child rows and its search terms.
    struct UserRows: Sendable {
        let id: String
        let userID: String
        let typedUserID: String
        let columns: StatementArguments
        let roles: [String]
        let groups: [String]
        let answers: [StatementArguments]
        let terms: [String]

        init(_ user: User) {
            let id = user.id.text
            self.id = id
            userID = user.userID.lowercased()
            typedUserID = user.userID
            columns = StatementArguments(Self.columns(of: user))
            roles = user.roles.map(\.rawValue)
            groups = Array(user.groups)
            answers = user.authentication.securityAnswers.enumerated().map { position, answer in
                [id, position, answer.question.identifier, answer.answerHash]
            }
            terms = Array(UserSearch.terms(of: user))
        }

        static func columns(of user: User) -> [String: (any DatabaseValueConvertible)?] {
            let data = user.authentication
            return [
                "id": user.id.text, "user_id": user.userID.lowercased(), "display_name": user.displayName,
                "given_name": user.givenName, "surname": user.surname, "enabled": user.enabled, "source": user.source.rawValue,
                "password_hash": user.passwordHash, "password_changed_at": user.passwordChangedAt?.unixSeconds,
                "password_change_required": user.passwordChangeRequired,
                "lockout_failures": user.lockout.failures, "locked_until": user.lockout.lockedUntil?.unixSeconds,
                "lockout_recent": user.lockout.recentWrongPasswords.joined(separator: ","),
                "lockout_last_failure": user.lockout.lastFailureAt?.unixSeconds, "locale": user.locale?.rawValue,
                "authentication_phone": data.authenticationPhone?.e164, "authentication_email": data.authenticationEmail?.value,
                "mobile_phone": data.mobilePhone?.e164, "office_phone": data.officePhone?.e164, "alternate_email": data.alternateEmail?.value,
                "registered_at": user.registration.registeredAt?.unixSeconds, "last_confirmed_at": user.registration.lastConfirmedAt?.unixSeconds,
                "authenticator_secret": data.sealedAuthenticatorSecret, "coverage": CoverageProfile(user).key,
                "created_at": user.createdAt.unixSeconds,  // written once: an update leaves it
            ]
        }
    }

    private static let columnNames = UserRows.columns(of: User(userID: "", createdAt: Date(timeIntervalSince1970: 0))).keys.filter { $0 != "id" }.sorted()
    private static let insertSQL = """
        INSERT INTO users (id, \(columnNames.joined(separator: ", ")))
        VALUES (:id, \(columnNames.map { ":" + $0 }.joined(separator: ", ")))
        """
    private static let updateSQL = """
        UPDATE users SET \(columnNames.filter { $0 != "created_at" }.map { "\($0) = :\($0)" }.joined(separator: ", ")) WHERE id = :id
        """

    /// Users from their rows, with their roles, groups, answers and counts read for all of them at once: a page of
    /// 200 users is six queries, not 1,200.
    static func users(from rows: [Row], in db: Database) throws -> [User] {
        guard !rows.isEmpty else { return [] }
        let ids: [String] = rows.map { $0["id"] }
        var roles: [String: [String]] = [:], groups: [String: [String]] = [:], answers: [String: [SecurityAnswer]] = [:]
        var recoveryCodes: [String: Int] = [:], passkeys: [String: Int] = [:]
        for chunk in chunks(of: ids) {
            let list = placeholders(chunk.count)
            // One user, read by every signed-in page, is fixed text: its statements are kept prepared.
            let fetch = { (sql: String) in
                try Row.fetchAll(chunk.count == 1 ? db.cachedStatement(sql: sql) : db.makeStatement(sql: sql), arguments: StatementArguments(chunk))
            }
            for row in try fetch("SELECT user_id, role FROM user_roles WHERE user_id IN (\(list))") {
                roles[row["user_id"], default: []].append(row["role"])
            }
            for row in try fetch("SELECT user_id, group_name FROM user_groups WHERE user_id IN (\(list))") {
                groups[row["user_id"], default: []].append(row["group_name"])
            }
            for row in try fetch("SELECT user_id, question, answer_hash FROM security_answers WHERE user_id IN (\(list)) ORDER BY user_id, position") {
                guard let question = SecurityQuestion(identifier: row["question"]) else { continue }
                answers[row["user_id"], default: []].append(SecurityAnswer(question: question, answerHash: row["answer_hash"]))
            }
            for row in try fetch("SELECT user_id, count(*) AS n FROM recovery_codes WHERE user_id IN (\(list)) GROUP BY user_id") {
                recoveryCodes[row["user_id"]] = row["n"]
            }
            for row in try fetch("SELECT user_id, count(*) AS n FROM passkeys WHERE user_id IN (\(list)) GROUP BY user_id") {
                passkeys[row["user_id"]] = row["n"]
            }
        }
        return try PositionedRow.rows(rows).map { row in
            let id: String = row["id"]
            let recent: String = row["lockout_recent"]
            return User(
                id: try row.uuid("id"), userID: row["user_id"], displayName: row["display_name"], givenName: row["given_name"],
                surname: row["surname"], roles: Set((roles[id] ?? []).compactMap(Role.init(rawValue:))), groups: Set(groups[id] ?? []),
                enabled: row["enabled"], source: UserSource(rawValue: row["source"]) ?? .local,
                passwordHash: row["password_hash"], passwordChangedAt: row.date("password_changed_at"),
                passwordChangeRequired: row["password_change_required"],
                lockout: SignInLockout(
                    failures: row["lockout_failures"], lockedUntil: row.date("locked_until"),
                    recentWrongPasswords: recent.split(separator: ",").map(String.init), lastFailureAt: row.date("lockout_last_failure"),
                    streak: row["lockout_streak"], streakAt: row.date("lockout_streak_at")),
                locale: (row["locale"] as String?).flatMap(Language.init(rawValue:)),
                authentication: AuthenticationData(
                    authenticationPhone: StoredValues.phone(row["authentication_phone"]), authenticationEmail: StoredValues.email(row["authentication_email"]),
                    mobilePhone: StoredValues.phone(row["mobile_phone"]), officePhone: StoredValues.phone(row["office_phone"]),
                    alternateEmail: StoredValues.email(row["alternate_email"]), securityAnswers: answers[id] ?? [],
                    sealedAuthenticatorSecret: row["authenticator_secret"],
                    recoveryCodesLeft: recoveryCodes[id] ?? 0, passkeyCount: passkeys[id] ?? 0),
                registration: RegistrationState(registeredAt: row.date("registered_at"), lastConfirmedAt: row.date("last_confirmed_at")),
                createdAt: try row.requiredDate("created_at"))
        }
    }

    /// The users whose `column` holds one of `values`, read 500 values at a time.
    static func users(where column: String, in values: [String], in db: Database) throws -> [User] {
        var found: [User] = []
        for chunk in chunks(of: values) {
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM users WHERE \(column) IN (\(placeholders(chunk.count)))", arguments: StatementArguments(chunk))
            found += try users(from: rows, in: db)
        }
        return found
    }

    /// Lists of at most 500 values, well under SQLite's limit on a statement's parameters.
    static func chunks(of values: [String]) -> [ArraySlice<String>] {
        stride(from: 0, to: values.count, by: 500).map { values[$0..<min($0 + 500, values.count)] }
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }

    /// Writes the coverage key and search terms of users saved before they existed (docs/scale.md#search): once,
    /// when the store opens after the upgrade, a thousand users per transaction.
    static func deriveMissingColumns(in pool: DatabasePool) throws {
        while true {
            let done = try pool.write { db in
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM users WHERE coverage IS NULL LIMIT 1000")
                for user in try users(from: rows, in: db) { try update(UserRows(user), in: db) }
                return rows.count < 1000
            }
            if done { return }
        }
    }
}
