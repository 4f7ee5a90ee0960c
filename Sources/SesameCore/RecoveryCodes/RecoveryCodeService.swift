import Foundation

/// Recovery codes (docs/behaviour.md#recovery-codes): a new set hashed for the user to confirm, the confirmed set
/// replacing the old one, and a code used at a reset gate. The reset and registration services build on it;
/// throttles are theirs.
public struct RecoveryCodeService: Sendable {
    /// At this many codes left or fewer the user is told to make a new set (docs/behaviour.md#recovery-codes).
    public static let lowCount = 3

    /// How many codes are left when the account and registration pages should say few remain: the policy offers
    /// them, and 1 to ``lowCount`` are left.
    public static func runningLow(_ data: AuthenticationData, under effective: EffectivePolicy) -> Int? {
        let left = data.recoveryCodesLeft
        return effective.methods.contains(.recoveryCodes) && (1...lowCount).contains(left) ? left : nil
    }

    private let store: any Store
    private let hasher: any PasswordHasher
    private let outbox: any Outbox
    private let clock: any WallClock
    private let random: any RandomSource

    public init(store: any Store, hasher: any PasswordHasher, outbox: any Outbox, clock: any WallClock, random: any RandomSource) {
        self.store = store
        self.hasher = hasher
        self.outbox = outbox
        self.clock = clock
        self.random = random
    }

    /// A new set: the codes, to be shown once, and their hashes, to be kept until the user types one back. Nothing
    /// is stored yet and the old set still works.
    public func generate() async throws -> NewRecoveryCodes {
        let codes = RecoveryCode.newSet(using: random)
        var hashes: [StoredRecoveryCode] = []
        for code in codes {
            hashes.append(StoredRecoveryCode(slot: code.slot, hash: try await hasher.hash(code.canonical)))
        }
        return NewRecoveryCodes(codes: codes, hashes: hashes)
    }

    /// The user typed back one of the new set, proving they saved it: the set replaces the old one, which stops
    /// working (audited). `false` when the typed code is not one of them.
    public func confirm(_ typed: String, of hashes: [StoredRecoveryCode], for user: User, requestID: String?) async throws -> Bool {
        guard let code = RecoveryCode(typed: typed), await hashes.match(code, hasher: hasher) != nil else { return false }
        try await store.replaceRecoveryCodes(userID: user.id, with: hashes)
        try await store.appendAudit(AuditEvent(
            at: clock.now, activity: .recoveryCodesGenerated, actor: user.userID, target: user.userID, detail: "\(hashes.count)",
            requestID: requestID))
        return true
    }

    /// Uses one of the user's codes: one Argon2id computation, and the code deleted atomically, so that of two
    /// requests with one code only one passes. When this leaves ``lowCount`` codes, the user is told by email
    /// (docs/behaviour.md#notices).
    public func use(_ typed: String, by user: User, policy: Policy) async throws -> RecoveryCodeUse {
        guard let code = RecoveryCode(typed: typed) else { return .malformed }
        let stored = try await store.recoveryCodes(userID: user.id)
        guard let match = await stored.match(code, hasher: hasher),
            try await store.consumeRecoveryCode(userID: user.id, slot: match.slot, hash: match.hash)
        else { return .wrong }
        let left = try await store.recoveryCodes(userID: user.id).count
        if left == Self.lowCount {
            for address in user.noticeAddresses {
                // Queued: the reset does not wait for it, and one that cannot be queued does not undo the proof.
                try? await outbox.post(MessageComposer.recoveryCodesLow(
                    to: address, left: left, userID: user.userID, organisation: policy.organisationName, language: user.locale ?? policy.defaultLanguage))
            }
        }
        return .accepted(left: left)
    }
}

/// A set just made: the codes to show once, and the hashes the session keeps until one is typed back.
public struct NewRecoveryCodes: Sendable, Hashable {
    public let codes: [RecoveryCode]
    public let hashes: [StoredRecoveryCode]
}

/// How using a recovery code ended.
public enum RecoveryCodeUse: Sendable, Hashable {
    /// The code was right and is now spent; `left` remain.
    case accepted(left: Int)
    /// Not one of the user's unused codes.
    case wrong
    /// Not the shape of a code: nothing was compared.
    case malformed
}
