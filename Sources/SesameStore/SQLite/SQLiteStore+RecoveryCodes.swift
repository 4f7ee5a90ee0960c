import Foundation
import GRDB
import SesameCore

// MARK: RecoveryCodeStore

extension SQLiteStore {
    public func replaceRecoveryCodes(userID: UUID, with codes: [StoredRecoveryCode]) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM recovery_codes WHERE user_id = ?", arguments: [userID.text])
            for code in codes {
                try db.execute(sql: "INSERT INTO recovery_codes (user_id, slot, code_hash) SELECT id, ?, ? FROM users WHERE id = ?",
                               arguments: [code.slot, code.hash, userID.text])
            }
        }
    }

    public func recoveryCodes(userID: UUID) async throws -> [StoredRecoveryCode] {
        try lookUp { db in
            try Row.fetchAll(db, sql: "SELECT slot, code_hash FROM recovery_codes WHERE user_id = ? ORDER BY slot", arguments: [userID.text])
                .map { StoredRecoveryCode(slot: $0["slot"], hash: $0["code_hash"]) }
        }
    }

    public func consumeRecoveryCode(userID: UUID, slot: Int, hash: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM recovery_codes WHERE user_id = ? AND slot = ? AND code_hash = ?",
                           arguments: [userID.text, slot, hash])
            return db.changesCount == 1
        }
    }
}
