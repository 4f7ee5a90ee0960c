import Foundation
import SesameCore
import Synchronization

// MARK: RecoveryCodeStore

extension InMemoryStore {
    public func replaceRecoveryCodes(userID: UUID, with codes: [StoredRecoveryCode]) async throws {
        state.withLock { state in
            // As the adapters' `INSERT … SELECT … FROM users`: no codes for a user who does not exist.
            guard state.users[userID] != nil else { return }
            state.recoveryCodes[userID] = codes.sorted { $0.slot < $1.slot }
            state.users[userID]?.authentication.recoveryCodesLeft = codes.count
        }
    }

    public func recoveryCodes(userID: UUID) async throws -> [StoredRecoveryCode] {
        state.withLock { $0.recoveryCodes[userID] ?? [] }
    }

    public func consumeRecoveryCode(userID: UUID, slot: Int, hash: String) async throws -> Bool {
        state.withLock { state in
            guard let codes = state.recoveryCodes[userID], codes.contains(StoredRecoveryCode(slot: slot, hash: hash)) else { return false }
            let left = codes.filter { $0.slot != slot }
            state.recoveryCodes[userID] = left
            state.users[userID]?.authentication.recoveryCodesLeft = left.count
            return true
        }
    }
}
