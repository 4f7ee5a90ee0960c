import Foundation
import PostgresNIO
import SesameCore

// MARK: RecoveryCodeStore

extension PostgresStore {
    public func replaceRecoveryCodes(userID: UUID, with codes: [StoredRecoveryCode]) async throws {
        try await transaction { connection in
            let id = userID.text
            try await connection.query("DELETE FROM recovery_codes WHERE user_id = \(id)", logger: self.logger)
            for code in codes {
                try await connection.query("""
                    INSERT INTO recovery_codes (user_id, slot, code_hash) SELECT id, \(code.slot), \(code.hash) FROM users WHERE id = \(id)
                    """, logger: self.logger)
            }
        }
    }

    public func recoveryCodes(userID: UUID) async throws -> [StoredRecoveryCode] {
        try await rows("SELECT slot, code_hash FROM recovery_codes WHERE user_id = \(userID.text) ORDER BY slot").map { row in
            StoredRecoveryCode(slot: try row.get("slot", as: Int32.self).asInt, hash: try row.get("code_hash"))
        }
    }

    /// One statement: of two instances deleting the same row, only one gets it back.
    public func consumeRecoveryCode(userID: UUID, slot: Int, hash: String) async throws -> Bool {
        try await !rows("""
            DELETE FROM recovery_codes WHERE user_id = \(userID.text) AND slot = \(slot) AND code_hash = \(hash) RETURNING slot
            """).isEmpty
    }
}
