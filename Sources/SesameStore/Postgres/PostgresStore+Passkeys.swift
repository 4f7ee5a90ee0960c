import Foundation
import PostgresNIO
import SesameCore

// MARK: PasskeyStore

extension PostgresStore {
    /// The user's row stays locked until the insert commits: two registrations of one user, from any instances, take
    /// turns, so that both cannot pass the count.
    public func insertPasskey(_ passkey: Passkey) async throws {
        try await transaction { connection in
            let userID = passkey.userID.text
            guard try await !connection.rows("SELECT id FROM users WHERE id = \(userID) FOR UPDATE", logger: self.logger).isEmpty else {
                throw StoreError.notFound("user")
            }
            let count = try await connection.rows("SELECT count(*)::BIGINT AS n FROM passkeys WHERE user_id = \(userID)", logger: self.logger)
                .first?.get("n", as: Int.self) ?? 0
            guard count < Passkey.maximumPerUser else { throw StoreError.conflict("passkey") }
            let inserted = try await connection.rows("""
                INSERT INTO passkeys (id, user_id, credential_id, public_key, algorithm, sign_count, backup_eligible, backed_up, name,
                    created_at, last_used_at)
                VALUES (\(passkey.id.text), \(userID), \(Data(passkey.credentialID)), \(Data(passkey.publicKeyCOSE)),
                    \(passkey.algorithm), \(Int64(passkey.signCount)), \(passkey.backupEligible), \(passkey.backedUp), \(passkey.name),
                    \(passkey.createdAt.unixSeconds), \(passkey.lastUsedAt?.unixSeconds))
                ON CONFLICT (credential_id) DO NOTHING RETURNING id
                """, logger: self.logger)
            guard !inserted.isEmpty else { throw StoreError.conflict("passkey") }
        }
    }

    public func passkeys(userID: UUID) async throws -> [Passkey] {
        try await rows("SELECT * FROM passkeys WHERE user_id = \(userID.text) ORDER BY created_at, id").map(Self.passkey(from:))
    }

    public func passkey(credentialID: [UInt8]) async throws -> Passkey? {
        try await rows("SELECT * FROM passkeys WHERE credential_id = \(Data(credentialID))").first.map(Self.passkey(from:))
    }

    /// One statement, compare-and-set on the counter: of two uses that read the same counter, only one moves it.
    public func recordPasskeyUse(id: UUID, expected: UInt32, signCount: UInt32, backedUp: Bool, at date: Date) async throws -> Bool {
        try await !rows("""
            UPDATE passkeys SET sign_count = \(Int64(signCount)), backed_up = \(backedUp), last_used_at = \(date.unixSeconds)
            WHERE id = \(id.text) AND sign_count = \(Int64(expected))
            RETURNING id
            """).isEmpty
    }

    public func deletePasskey(id: UUID, userID: UUID) async throws -> Bool {
        try await !rows("DELETE FROM passkeys WHERE id = \(id.text) AND user_id = \(userID.text) RETURNING id").isEmpty
    }

    /// One statement: of two requests answering the same challenge, on any instances, only one inserts the row.
    public func claimPasskeyChallenge(mac: [UInt8], expiresAt: Date) async throws -> Bool {
        try await !rows("""
            INSERT INTO passkey_challenges (mac, expires_at) VALUES (\(Data(mac)), \(expiresAt.unixSeconds))
            ON CONFLICT (mac) DO NOTHING RETURNING mac
            """).isEmpty
    }

    public func deletePasskeyChallenges(expiredBefore date: Date) async throws -> Int {
        try await rows("DELETE FROM passkey_challenges WHERE expires_at < \(date.unixSeconds) RETURNING mac").count
    }

    /// The counter is a `UInt32` kept as a `BIGINT`: any other value is a damaged row, reported as such.
    static func passkey(from row: Columns) throws -> Passkey {
        let storedCount = try row.get("sign_count", as: Int64.self)
        guard let signCount = UInt32(exactly: storedCount) else { throw StoreError.unavailable("sign_count holds \(storedCount), not a counter") }
        return Passkey(
            id: try row.uuid("id"), userID: try row.uuid("user_id"), credentialID: Array(try row.get("credential_id", as: Data.self)),
            publicKeyCOSE: Array(try row.get("public_key", as: Data.self)), algorithm: try row.get("algorithm", as: Int32.self).asInt,
            signCount: signCount, backupEligible: try row.get("backup_eligible", as: Bool.self), backedUp: try row.get("backed_up", as: Bool.self),
            name: try row.get("name", as: String.self), createdAt: try row.requiredDate("created_at"), lastUsedAt: try row.date("last_used_at"))
    }
}
