import Foundation
import GRDB
import SesameCore

// MARK: PasskeyStore

extension SQLiteStore {
    /// One write transaction counts and inserts, and SQLite has one writer: two registrations cannot both pass the count.
    public func insertPasskey(_ passkey: Passkey) async throws {
        try await write { db in
            let userID = passkey.userID.text
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM passkeys WHERE user_id = ?", arguments: [userID]) ?? 0
            guard count < Passkey.maximumPerUser else { throw StoreError.conflict("passkey") }
            do {
                try db.execute(sql: """
                    INSERT INTO passkeys (id, user_id, credential_id, public_key, algorithm, sign_count, backup_eligible, backed_up, name,
                        created_at, last_used_at)
                    SELECT ?, id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM users WHERE id = ?
                    """, arguments: [
                        passkey.id.text, Data(passkey.credentialID), Data(passkey.publicKeyCOSE), passkey.algorithm,
                        Int64(passkey.signCount), passkey.backupEligible, passkey.backedUp, passkey.name, passkey.createdAt.unixSeconds,
                        passkey.lastUsedAt?.unixSeconds, userID,
                    ])
            } catch let error as DatabaseError
                where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                throw StoreError.conflict("passkey")
            }
            guard db.changesCount == 1 else { throw StoreError.notFound("user") }
        }
    }

    public func passkeys(userID: UUID) async throws -> [Passkey] {
        try lookUp { db in
            try Row.fetchAll(db, sql: "SELECT * FROM passkeys WHERE user_id = ? ORDER BY created_at, id", arguments: [userID.text])
                .map(Self.passkey(from:))
        }
    }

    public func passkey(credentialID: [UInt8]) async throws -> Passkey? {
        try lookUp { db in
            try Row.fetchOne(db, sql: "SELECT * FROM passkeys WHERE credential_id = ?", arguments: [Data(credentialID)]).map(Self.passkey(from:))
        }
    }

    /// Compare-and-set on the counter: of two uses that read the same counter, only one moves it.
    public func recordPasskeyUse(id: UUID, expected: UInt32, signCount: UInt32, backedUp: Bool, at date: Date) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE passkeys SET sign_count = ?, backed_up = ?, last_used_at = ? WHERE id = ? AND sign_count = ?",
                           arguments: [Int64(signCount), backedUp, date.unixSeconds, id.text, Int64(expected)])
            return db.changesCount == 1
        }
    }

    public func deletePasskey(id: UUID, userID: UUID) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM passkeys WHERE id = ? AND user_id = ?", arguments: [id.text, userID.text])
            return db.changesCount == 1
        }
    }

    /// One statement: of two requests answering the same challenge, only one inserts the row.
    public func claimPasskeyChallenge(mac: [UInt8], expiresAt: Date) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "INSERT INTO passkey_challenges (mac, expires_at) VALUES (?, ?) ON CONFLICT (mac) DO NOTHING",
                           arguments: [Data(mac), expiresAt.unixSeconds])
            return db.changesCount == 1
        }
    }

    public func deletePasskeyChallenges(expiredBefore date: Date) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM passkey_challenges WHERE expires_at < ?", arguments: [date.unixSeconds])
            return db.changesCount
        }
    }

    /// The counter is a `UInt32` kept as a 64-bit integer: any other value is a damaged row, reported as such.
    static func passkey(from row: Row) throws -> Passkey {
        let credentialID: Data = row["credential_id"]
        let publicKey: Data = row["public_key"]
        let storedCount: Int64 = row["sign_count"]
        guard let signCount = UInt32(exactly: storedCount) else { throw StoreError.unavailable("sign_count holds \(storedCount), not a counter") }
        return Passkey(
            id: try row.uuid("id"), userID: try row.uuid("user_id"), credentialID: Array(credentialID), publicKeyCOSE: Array(publicKey),
            algorithm: row["algorithm"], signCount: signCount, backupEligible: row["backup_eligible"], backedUp: row["backed_up"],
            name: row["name"], createdAt: try row.requiredDate("created_at"), lastUsedAt: row.date("last_used_at"))
    }
}
