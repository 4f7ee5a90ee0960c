import Foundation
import GRDB
import SesameCore

// MARK: UserStore

extension SQLiteStore {
    public func insertUser(_ user: User) async throws {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE user_id = ?", arguments: [user.userID.lowercased()]) == nil else {
                throw StoreError.duplicateUserID(user.userID)
            }
            try db.execute(sql: "INSERT INTO users (id, user_id, display_name, given_name, surname, enabled, source, created_at) VALUES (?, ?, '', '', '', 1, 'local', ?)",
                           arguments: [user.id.uuidString, user.userID.lowercased(), user.createdAt.unixSeconds])
            try Self.save(user, in: db)
        }
    }

    public func updateUser(_ user: User) async throws {
        try await write { db in
            try Self.save(user, in: db)
            guard db.changesCount > 0 else { throw StoreError.notFound("user \(user.userID)") }
        }
    }

    public func user(id: UUID) async throws -> User? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [id.uuidString]).map { try Self.user(from: $0, in: db) }
        }
    }

    public func user(userID: String) async throws -> User? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE user_id = ?", arguments: [userID.lowercased()])
                .map { try Self.user(from: $0, in: db) }
        }
    }

    public func users(search: String?, limit: Int, offset: Int) async throws -> [User] {
        try await read { db in
            let pattern = "%" + (search ?? "").lowercased()
                .replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            return try Row.fetchAll(db, sql: """
                SELECT * FROM users WHERE user_id LIKE :pattern ESCAPE '\\' OR lower(display_name) LIKE :pattern ESCAPE '\\'
                ORDER BY user_id LIMIT :limit OFFSET :offset
                """, arguments: ["pattern": pattern, "limit": limit, "offset": offset])
                .map { try Self.user(from: $0, in: db) }
        }
    }

    public func userCount() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM users") ?? 0 }
    }

    public func users(withRole role: Role, limit: Int) async throws -> [User] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT users.* FROM users JOIN user_roles ON user_roles.user_id = users.id
                WHERE user_roles.role = ? ORDER BY users.user_id LIMIT ?
                """, arguments: [role.rawValue, limit])
                .map { try Self.user(from: $0, in: db) }
        }
    }

    public func deleteUser(id: UUID) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id.uuidString])
            guard db.changesCount > 0 else { throw StoreError.notFound("user \(id)") }
        }
    }

    // MARK: AuthenticatorStore

    public func claimAuthenticatorStep(_ step: Int64, ofUser id: UUID) async throws -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE users SET authenticator_last_step = :step
                WHERE id = :id AND (authenticator_last_step IS NULL OR authenticator_last_step < :step)
                """, arguments: ["id": id.uuidString, "step": step])
            return db.changesCount == 1
        }
    }

    // MARK: Mapping

    /// Writes every column and replaces the child rows; `changesCount` afterwards tells whether the user existed.
    static func save(_ user: User, in db: Database) throws {
        let data = user.authentication
        let id = user.id.uuidString
        try db.execute(sql: "DELETE FROM user_roles WHERE user_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM user_groups WHERE user_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM security_answers WHERE user_id = ?", arguments: [id])
        for role in user.roles {
            try db.execute(sql: "INSERT INTO user_roles (user_id, role) SELECT id, ? FROM users WHERE id = ?", arguments: [role.rawValue, id])
        }
        for group in user.groups {
            try db.execute(sql: "INSERT INTO user_groups (user_id, group_name) SELECT id, ? FROM users WHERE id = ?", arguments: [group, id])
        }
        for (position, answer) in data.securityAnswers.enumerated() {
            try db.execute(sql: "INSERT INTO security_answers (user_id, position, question, answer_hash) SELECT id, ?, ?, ? FROM users WHERE id = ?",
                           arguments: [position, answer.question.identifier, answer.answerHash, id])
        }
        // Last, so that changesCount reports this statement.
        try db.execute(sql: """
            UPDATE users SET user_id = :userID, display_name = :displayName, given_name = :givenName, surname = :surname,
                enabled = :enabled, source = :source, password_hash = :passwordHash, password_changed_at = :passwordChangedAt,
                password_change_required = :changeRequired,
                lockout_failures = :failures, locked_until = :lockedUntil, lockout_recent = :recent,
                lockout_last_failure = :lastFailure, locale = :locale,
                authentication_phone = :authPhone, authentication_email = :authEmail, mobile_phone = :mobile,
                office_phone = :office, alternate_email = :altEmail, registered_at = :registeredAt,
                last_confirmed_at = :confirmedAt, authenticator_secret = :authenticator
            WHERE id = :id
            """, arguments: [
                "id": id, "userID": user.userID.lowercased(), "displayName": user.displayName, "givenName": user.givenName,
                "surname": user.surname, "enabled": user.enabled, "source": user.source.rawValue,
                "passwordHash": user.passwordHash, "passwordChangedAt": user.passwordChangedAt?.unixSeconds,
                "changeRequired": user.passwordChangeRequired,
                "failures": user.lockout.failures, "lockedUntil": user.lockout.lockedUntil?.unixSeconds,
                "recent": user.lockout.recentWrongPasswords.joined(separator: ","), "lastFailure": user.lockout.lastFailureAt?.unixSeconds,
                "locale": user.locale?.rawValue,
                "authPhone": data.authenticationPhone?.e164, "authEmail": data.authenticationEmail?.value,
                "mobile": data.mobilePhone?.e164, "office": data.officePhone?.e164, "altEmail": data.alternateEmail?.value,
                "registeredAt": user.registration.registeredAt?.unixSeconds,
                "confirmedAt": user.registration.lastConfirmedAt?.unixSeconds, "authenticator": data.sealedAuthenticatorSecret,
            ])
    }

    static func user(from row: Row, in db: Database) throws -> User {
        let id: String = row["id"]
        let roles = try String.fetchAll(db, sql: "SELECT role FROM user_roles WHERE user_id = ?", arguments: [id])
        let groups = try String.fetchAll(db, sql: "SELECT group_name FROM user_groups WHERE user_id = ?", arguments: [id])
        let answers = try Row.fetchAll(db, sql: "SELECT question, answer_hash FROM security_answers WHERE user_id = ? ORDER BY position", arguments: [id])
            .compactMap { answer in
                SecurityQuestion(identifier: answer["question"]).map { SecurityAnswer(question: $0, answerHash: answer["answer_hash"]) }
            }
        let recent: String = row["lockout_recent"]
        let recoveryCodes = try Int.fetchOne(db, sql: "SELECT count(*) FROM recovery_codes WHERE user_id = ?", arguments: [id]) ?? 0
        let passkeys = try Int.fetchOne(db, sql: "SELECT count(*) FROM passkeys WHERE user_id = ?", arguments: [id]) ?? 0
        return User(
            id: try row.uuid("id"), userID: row["user_id"], displayName: row["display_name"], givenName: row["given_name"],
            surname: row["surname"], roles: Set(roles.compactMap(Role.init(rawValue:))), groups: Set(groups),
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
                alternateEmail: StoredValues.email(row["alternate_email"]), securityAnswers: answers,
                sealedAuthenticatorSecret: row["authenticator_secret"],
                recoveryCodesLeft: recoveryCodes, passkeyCount: passkeys),
            registration: RegistrationState(registeredAt: row.date("registered_at"), lastConfirmedAt: row.date("last_confirmed_at")),
            createdAt: try row.requiredDate("created_at"))
    }
}
