import Foundation
import PostgresNIO
import SesameCore

// MARK: UserStore

extension PostgresStore {
    public func insertUser(_ user: User) async throws {
        try await transaction { connection in
            let inserted = try await connection.rows("""
                INSERT INTO users (id, user_id, display_name, given_name, surname, enabled, source, created_at)
                VALUES (\(user.id.uuidString), \(user.userID.lowercased()), '', '', '', TRUE, 'local', \(user.createdAt.unixSeconds))
                ON CONFLICT (user_id) DO NOTHING RETURNING id
                """, logger: self.logger)
            guard !inserted.isEmpty else { throw StoreError.duplicateUserID(user.userID) }
            _ = try await Self.save(user, on: connection, logger: self.logger)
        }
    }

    public func updateUser(_ user: User) async throws {
        try await transaction { connection in
            guard try await Self.save(user, on: connection, logger: self.logger) else { throw StoreError.notFound("user \(user.userID)") }
        }
    }

    public func user(id: UUID) async throws -> User? {
        try await users(where: "id = $1", [id.uuidString]).first
    }

    public func user(userID: String) async throws -> User? {
        try await users(where: "user_id = $1", [userID.lowercased()]).first
    }

    public func users(search: String?, limit: Int, offset: Int) async throws -> [User] {
        let pattern = "%" + (search ?? "").lowercased()
            .replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        return try await users(
            where: "user_id LIKE $1 ESCAPE '\\' OR lower(display_name) LIKE $1 ESCAPE '\\' ORDER BY user_id LIMIT $2 OFFSET $3",
            [pattern, limit, offset])
    }

    public func userCount() async throws -> Int {
        try await rows("SELECT count(*)::BIGINT AS n FROM users").first?.get("n", as: Int.self) ?? 0
    }

    public func users(withRole role: Role, limit: Int) async throws -> [User] {
        try await users(where: "id IN (SELECT user_id FROM user_roles WHERE role = $1) ORDER BY user_id LIMIT $2", [role.rawValue, limit])
    }

    public func deleteUser(id: UUID) async throws {
        guard try await !rows("DELETE FROM users WHERE id = \(id.uuidString) RETURNING id").isEmpty else { throw StoreError.notFound("user \(id)") }
    }

    // MARK: AuthenticatorStore

    public func claimAuthenticatorStep(_ step: Int64, ofUser id: UUID) async throws -> Bool {
        try await !rows("""
            UPDATE users SET authenticator_last_step = \(step)
            WHERE id = \(id.uuidString) AND (authenticator_last_step IS NULL OR authenticator_last_step < \(step))
            RETURNING id
            """).isEmpty
    }

    // MARK: Mapping

    /// Users matching `condition` (SQL with `$n` parameters), with their roles, groups, answers and the counts of their
    /// recovery codes and passkeys in the same round trip.
    private func users(where condition: String, _ values: [any PostgresThrowingDynamicTypeEncodable]) async throws -> [User] {
        var binds = PostgresBindings()
        for value in values { try binds.append(value) }
        let sql = """
            SELECT u.*,
                ARRAY(SELECT role FROM user_roles WHERE user_id = u.id) AS roles,
                ARRAY(SELECT group_name FROM user_groups WHERE user_id = u.id) AS groups,
                ARRAY(SELECT question FROM security_answers WHERE user_id = u.id ORDER BY position) AS questions,
                ARRAY(SELECT answer_hash FROM security_answers WHERE user_id = u.id ORDER BY position) AS answers,
                (SELECT count(*) FROM recovery_codes WHERE user_id = u.id) AS recovery_codes,
                (SELECT count(*) FROM passkeys WHERE user_id = u.id) AS passkey_count
            FROM users u WHERE \(condition)
            """
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map(Self.user)
    }

    /// Writes every column and replaces the child rows; whether the user existed.
    static func save(_ user: User, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let data = user.authentication
        let id = user.id.uuidString
        let updated = try await connection.rows("""
            UPDATE users SET user_id = \(user.userID.lowercased()), display_name = \(user.displayName), given_name = \(user.givenName),
                surname = \(user.surname), enabled = \(user.enabled), source = \(user.source.rawValue), password_hash = \(user.passwordHash),
                password_changed_at = \(user.passwordChangedAt?.unixSeconds), password_change_required = \(user.passwordChangeRequired),
                lockout_failures = \(user.lockout.failures),
                locked_until = \(user.lockout.lockedUntil?.unixSeconds), lockout_recent = \(user.lockout.recentWrongPasswords.joined(separator: ",")),
                lockout_last_failure = \(user.lockout.lastFailureAt?.unixSeconds),
                locale = \(user.locale?.rawValue), authentication_phone = \(data.authenticationPhone?.e164),
                authentication_email = \(data.authenticationEmail?.value), mobile_phone = \(data.mobilePhone?.e164),
                office_phone = \(data.officePhone?.e164), alternate_email = \(data.alternateEmail?.value),
                registered_at = \(user.registration.registeredAt?.unixSeconds), last_confirmed_at = \(user.registration.lastConfirmedAt?.unixSeconds),
                authenticator_secret = \(data.sealedAuthenticatorSecret)
            WHERE id = \(id) RETURNING id
            """, logger: logger)
        guard !updated.isEmpty else { return false }
        try await connection.query("DELETE FROM user_roles WHERE user_id = \(id)", logger: logger)
        try await connection.query("DELETE FROM user_groups WHERE user_id = \(id)", logger: logger)
        try await connection.query("DELETE FROM security_answers WHERE user_id = \(id)", logger: logger)
        for role in user.roles.map(\.rawValue).sorted() {
            try await connection.query("INSERT INTO user_roles (user_id, role) VALUES (\(id), \(role))", logger: logger)
        }
        for group in user.groups.sorted() {
            try await connection.query("INSERT INTO user_groups (user_id, group_name) VALUES (\(id), \(group))", logger: logger)
        }
        for (position, answer) in data.securityAnswers.enumerated() {
            try await connection.query("""
                INSERT INTO security_answers (user_id, position, question, answer_hash)
                VALUES (\(id), \(position), \(answer.question.identifier), \(answer.answerHash))
                """, logger: logger)
        }
        return true
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
