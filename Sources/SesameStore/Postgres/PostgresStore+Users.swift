import Foundation
import PostgresNIO
import SesameCore

// MARK: UserStore

extension PostgresStore {
    public func insertUser(_ user: User) async throws {
        var batch = UserBatch()
        batch.inserts = [user]
        try await apply(batch)
    }

    public func updateUser(_ user: User) async throws {
        try await transaction { connection in
            guard try await Self.save([user], on: connection, logger: self.logger) == 1 else { throw StoreError.notFound("user \(user.userID)") }
        }
    }

    /// One transaction of a few statements whatever the batch's size: each table's rows travel as one JSON array
    /// (docs/scale.md#batches).
    public func apply(_ batch: UserBatch) async throws {
        try await transaction { connection in
            if !batch.inserts.isEmpty {
                // Whole rows at once (every column a save writes, and the creation time): an insert of a few columns
                // then an update of the rest wrote each row twice, and each of its index entries, since the coverage
                // column is indexed (docs/scale.md#batches).
                let rows = try JSONRows.encode(batch.inserts.map { UserRow(user: $0, withCreation: true) })
                let inserted = try await connection.rows("""
                    INSERT INTO users (\(unescaped: Self.userColumnNames)) SELECT \(unescaped: Self.userColumnValues)
                    FROM jsonb_to_recordset(\(rows)::jsonb) AS \(unescaped: Self.userRecord)
                    ON CONFLICT (user_id) DO NOTHING RETURNING user_id
                    """, logger: self.logger)
                let written = Set(try inserted.map { try $0.get("user_id", as: String.self) })
                if written.count < batch.inserts.count {
                    // Taken before, or twice in the batch.
                    var seen: Set<String> = []
                    let taken = batch.inserts.first { !written.contains($0.userID.lowercased()) || !seen.insert($0.userID.lowercased()).inserted }
                    throw StoreError.duplicateUserID(taken?.userID ?? "")
                }
                try await Self.insertChildRows(of: batch.inserts, on: connection, logger: self.logger)
            }
            if !batch.updates.isEmpty, try await Self.save(batch.updates, on: connection, logger: self.logger) != batch.updates.count {
                throw StoreError.notFound("a user of the batch")
            }
            try await Self.insert(audit: batch.audit, registrations: batch.registrations, resets: batch.resets, on: connection, logger: self.logger)
        }
    }

    public func user(id: UUID) async throws -> User? {
        try await users(where: "id = $1", [id.text]).first
    }

    public func user(userID: String) async throws -> User? {
        // No user ID holds a NUL, and PostgreSQL would refuse one as the query's value (a typed ID reaches here as is).
        guard !userID.contains("\u{0}") else { return nil }
        return try await users(where: "user_id = $1", [userID.lowercased()]).first
    }

    public func users(userIDs: [String]) async throws -> [User] {
        let wanted = userIDs.filter { !$0.contains("\u{0}") }.map { $0.lowercased() }
        guard !wanted.isEmpty else { return [] }
        return try await users(where: "user_id = ANY($1)", [wanted])
    }

    public func users(_ query: UserQuery) async throws -> UserPage {
        guard !query.search.isEmpty else {
            // Every user by user ID: the unique index's order, from where the last page ended.
            let users = try await users(where: "user_id > $1 ORDER BY user_id LIMIT $2 OFFSET $3", [query.after?.key ?? "", query.limit, query.offset])
            return UserPage(users: users, next: users.count == query.limit ? users.last.map { UserCursor(key: $0.userID.lowercased(), id: $0.id) } : nil)
        }
        // A range of the terms' index: from the search, or from the cursor (never below the search, see UserQuery),
        // as a row comparison, which is one range of the index too.
        let start: PostgresQuery = if let after = query.after {
            """
            SELECT term, user_id FROM user_search
            WHERE (term, user_id) > (\(after.key), \(after.id.text)) AND term < \(UserSearch.upperBound(ofPrefix: query.search))
            ORDER BY term, user_id LIMIT \(query.limit) OFFSET \(query.offset)
            """
        } else {
            """
            SELECT term, user_id FROM user_search
            WHERE term >= \(query.search) AND term < \(UserSearch.upperBound(ofPrefix: query.search))
            ORDER BY term, user_id LIMIT \(query.limit) OFFSET \(query.offset)
            """
        }
        let matches = try await rows(start).map { (term: try $0.get("term", as: String.self), id: try $0.get("user_id", as: String.self)) }
        let found = try await users(where: "id = ANY($1)", [Array(Set(matches.map(\.id)))])
        return UserPage(matches: matches, users: found, limit: query.limit)
    }

    public func userCount() async throws -> Int {
        try await rows("SELECT count(*)::BIGINT AS n FROM users").first?.get("n", as: Int.self) ?? 0
    }

    public func userIDs(from source: UserSource) async throws -> [String] {
        try await rows("SELECT user_id FROM users WHERE source = \(source.rawValue) ORDER BY user_id").map { try $0.get("user_id") }
    }

    public func users(withRole role: Role, limit: Int) async throws -> [User] {
        try await users(where: "id IN (SELECT user_id FROM user_roles WHERE role = $1) ORDER BY user_id LIMIT $2", [role.rawValue, limit])
    }

    public func coverageCounts() async throws -> CoverageCounts {
        let profiles = try await rows("SELECT coalesce(coverage, '') AS coverage, count(*)::BIGINT AS n FROM users GROUP BY coverage")
        let others = try await rows("""
            SELECT (SELECT count(DISTINCT user_id) FROM recovery_codes)::BIGINT AS codes, (SELECT count(DISTINCT user_id) FROM passkeys)::BIGINT AS passkeys
            """)
        return CoverageCounts(
            usersByProfile: Dictionary(try profiles.map { (try $0.get("coverage", as: String.self), try $0.get("n", as: Int.self)) }, uniquingKeysWith: +),
            withRecoveryCodes: try others.first?.get("codes", as: Int.self) ?? 0,
            withPasskeys: try others.first?.get("passkeys", as: Int.self) ?? 0)
    }

    public func deleteUser(id: UUID) async throws {
        guard try await !rows("DELETE FROM users WHERE id = \(id.text) RETURNING id").isEmpty else { throw StoreError.notFound("user \(id)") }
    }

    // MARK: AuthenticatorStore

    public func claimAuthenticatorStep(_ step: Int64, ofUser id: UUID) async throws -> Bool {
        try await !rows("""
            UPDATE users SET authenticator_last_step = \(step)
            WHERE id = \(id.text) AND (authenticator_last_step IS NULL OR authenticator_last_step < \(step))
            RETURNING id
            """).isEmpty
    }

    // MARK: Mapping

    /// Users matching `condition` (SQL with `$n` parameters), with their roles, groups, answers and the counts of their
    /// recovery codes and passkeys in the same round trip.
    private func users(where condition: String, _ values: [any PostgresThrowingDynamicTypeEncodable]) async throws -> [User] {
        try await rows(PostgresQuery(unsafeSQL: Self.selectUsers(where: condition), binds: try Self.binds(values))).map(Self.user)
    }

    static func selectUsers(where condition: String) -> String {
        """
            SELECT u.*,
                ARRAY(SELECT role FROM user_roles WHERE user_id = u.id) AS roles,
                ARRAY(SELECT group_name FROM user_groups WHERE user_id = u.id) AS groups,
                ARRAY(SELECT question FROM security_answers WHERE user_id = u.id ORDER BY position) AS questions,
                ARRAY(SELECT answer_hash FROM security_answers WHERE user_id = u.id ORDER BY position) AS answers,
                (SELECT count(*) FROM recovery_codes WHERE user_id = u.id) AS recovery_codes,
                (SELECT count(*) FROM passkeys WHERE user_id = u.id) AS passkey_count
            FROM users u WHERE \(condition)
            """
    }

    /// The columns a ``UserRow`` carries, with their types in its JSON; `created_at` is written by an insert alone.
    /// Those a save leaves alone (the lockout's streak, the authenticator's last step) are claimed on their own.
    static let userColumns = [
        ("id", "TEXT"), ("user_id", "TEXT"), ("display_name", "TEXT"), ("given_name", "TEXT"), ("surname", "TEXT"),
        ("enabled", "BOOLEAN"), ("source", "TEXT"), ("password_hash", "TEXT"), ("password_changed_at", "DOUBLE PRECISION"),
        ("password_change_required", "BOOLEAN"), ("lockout_failures", "INTEGER"), ("locked_until", "DOUBLE PRECISION"),
        ("lockout_recent", "TEXT"), ("lockout_last_failure", "DOUBLE PRECISION"), ("locale", "TEXT"),
        ("authentication_phone", "TEXT"), ("authentication_email", "TEXT"), ("mobile_phone", "TEXT"), ("office_phone", "TEXT"),
        ("alternate_email", "TEXT"), ("registered_at", "DOUBLE PRECISION"), ("last_confirmed_at", "DOUBLE PRECISION"),
        ("authenticator_secret", "TEXT"), ("coverage", "TEXT"), ("created_at", "DOUBLE PRECISION"),
    ]
    private static let userColumnNames = userColumns.map(\.0).joined(separator: ", ")
    /// Each column's value in the record `x`: the secret's bytes travel as base64.
    private static func value(_ column: String) -> String {
        column == "authenticator_secret" ? "decode(x.authenticator_secret, 'base64')" : "x.\(column)"
    }
    private static let userColumnValues = userColumns.map { value($0.0) }.joined(separator: ", ")
    private static let userRecord = "x(" + userColumns.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")"
    private static let userAssignments = userColumns.map(\.0).filter { $0 != "id" && $0 != "created_at" }
        .map { "\($0) = \(value($0))" }.joined(separator: ", ")

    /// Writes every column of these users and replaces their child rows and search terms, a statement per table;
    /// how many of them existed.
    static func save(_ users: [User], on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try JSONRows.encode(users.map { UserRow(user: $0, withCreation: false) })
        let updated = try await connection.rows("""
            UPDATE users AS u SET \(unescaped: userAssignments)
            FROM jsonb_to_recordset(\(rows)::jsonb) AS \(unescaped: userRecord)
            WHERE u.id = x.id RETURNING u.id
            """, logger: logger)
        let saved = Set(try updated.map { try $0.get("id", as: String.self) })
        let existing = users.filter { saved.contains($0.id.text) }
        let ids = existing.map(\.id.text)
        for table in ["user_roles", "user_groups", "security_answers", "user_search"] {
            try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE user_id = ANY($1)", binds: try Self.binds([ids])), logger: logger)
        }
        try await insertChildRows(of: existing, on: connection, logger: logger)
        return existing.count
    }

    /// The roles, groups, answers and search terms of users whose own rows are written, a statement per table.
    static func insertChildRows(of users: [User], on connection: PostgresConnection, logger: Logger) async throws {
        let roles = users.flatMap { user in user.roles.map { ["user_id": user.id.text, "role": $0.rawValue] } }
        let groups = users.flatMap { user in user.groups.map { ["user_id": user.id.text, "group_name": $0] } }
        let terms = users.flatMap { user in UserSearch.terms(of: user).map { ["user_id": user.id.text, "term": $0] } }
        let answers = users.flatMap { user in
            user.authentication.securityAnswers.enumerated().map {
                AnswerRow(userID: user.id.text, position: $0.offset, question: $0.element.question.identifier, answerHash: $0.element.answerHash)
            }
        }
        if !roles.isEmpty {
            try await connection.query("""
                INSERT INTO user_roles (user_id, role) SELECT user_id, role FROM jsonb_to_recordset(\(try JSONRows.encode(roles))::jsonb) AS x(user_id TEXT, role TEXT)
                """, logger: logger)
        }
        if !groups.isEmpty {
            try await connection.query("""
                INSERT INTO user_groups (user_id, group_name)
                SELECT user_id, group_name FROM jsonb_to_recordset(\(try JSONRows.encode(groups))::jsonb) AS x(user_id TEXT, group_name TEXT)
                """, logger: logger)
        }
        if !answers.isEmpty {
            try await connection.query("""
                INSERT INTO security_answers (user_id, position, question, answer_hash)
                SELECT user_id, position, question, answer_hash FROM jsonb_to_recordset(\(try JSONRows.encode(answers))::jsonb)
                    AS x(user_id TEXT, position INTEGER, question TEXT, answer_hash TEXT)
                """, logger: logger)
        }
        if !terms.isEmpty {
            try await connection.query("""
                INSERT INTO user_search (term, user_id) SELECT term, user_id FROM jsonb_to_recordset(\(try JSONRows.encode(terms))::jsonb) AS x(term TEXT, user_id TEXT)
                """, logger: logger)
        }
    }

    static func binds(_ values: [any PostgresThrowingDynamicTypeEncodable]) throws -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { try binds.append(value) }
        return binds
    }

    /// Gives users saved before version 017 their coverage key and search terms, a thousand per transaction, before
    /// the server answers (docs/scale.md#search).
    func deriveMissingColumns(on connection: PostgresConnection) async throws {
        while true {
            let rows = try await connection.rows(PostgresQuery(unsafeSQL: Self.selectUsers(where: "coverage IS NULL LIMIT 1000")), logger: logger)
            guard !rows.isEmpty else { return }
            let users = try rows.map(Self.user)
            let saved = try await connection.withTransaction(logger: logger) { transaction in try await Self.save(users, on: transaction, logger: self.logger) }
            // Nothing saved would mean reading the same rows again forever.
            guard saved > 0 else { throw StoreError.unavailable("users without a coverage key could not be saved") }
        }
    }

    static func user(from row: Columns) throws -> User {
        let questions = try row.get("questions", as: [String].self)
        let hashes = try row.get("answers", as: [String].self)
        let answers = zip(questions, hashes).compactMap { question, hash in
            SecurityQuestion(identifier: question).map { SecurityAnswer(question: $0, answerHash: hash) }
        }
        let recent = try row.get("lockout_recent", as: String.self)
        return User(
            id: try row.uuid("id"), userID: try row.get("user_id"), displayName: try row.get("display_name"),
            givenName: try row.get("given_name"), surname: try row.get("surname"),
            roles: Set(try row.get("roles", as: [String].self).compactMap(Role.init(rawValue:))),
            groups: Set(try row.get("groups", as: [String].self)), enabled: try row.get("enabled"),
            source: UserSource(rawValue: try row.get("source")) ?? .local,
            passwordHash: try row.get("password_hash"), passwordChangedAt: try row.date("password_changed_at"),
            passwordChangeRequired: try row.get("password_change_required"),
            lockout: SignInLockout(
                failures: try row.get("lockout_failures", as: Int32.self).asInt, lockedUntil: try row.date("locked_until"),
                recentWrongPasswords: recent.split(separator: ",").map(String.init), lastFailureAt: try row.date("lockout_last_failure"),
                streak: try row.get("lockout_streak", as: Int32.self).asInt, streakAt: try row.date("lockout_streak_at")),
            locale: try row.get("locale", as: String?.self).flatMap(Language.init(rawValue:)),
            authentication: AuthenticationData(
                authenticationPhone: StoredValues.phone(try row.get("authentication_phone")), authenticationEmail: StoredValues.email(try row.get("authentication_email")),
                mobilePhone: StoredValues.phone(try row.get("mobile_phone")), officePhone: StoredValues.phone(try row.get("office_phone")),
                alternateEmail: StoredValues.email(try row.get("alternate_email")), securityAnswers: answers,
                sealedAuthenticatorSecret: try row.get("authenticator_secret", as: Data?.self),
                recoveryCodesLeft: Int(try row.get("recovery_codes", as: Int64.self)),
                passkeyCount: Int(try row.get("passkey_count", as: Int64.self))),
            registration: RegistrationState(registeredAt: try row.date("registered_at"), lastConfirmedAt: try row.date("last_confirmed_at")),
            createdAt: try row.requiredDate("created_at"))
    }
}

extension Int32 {
    var asInt: Int { Int(self) }
}
