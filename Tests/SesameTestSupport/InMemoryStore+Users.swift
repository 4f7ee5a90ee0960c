import Foundation
import SesameCore
import Synchronization

// MARK: UserStore
extension InMemoryStore {
    /// User IDs are kept lower-cased, as the adapters keep them; the streak starts empty, only claims write it.
    public func insertUser(_ user: User) async throws {
        try state.withLock { state in
            let userID = user.userID.lowercased()
            guard !state.users.values.contains(where: { $0.userID == userID }) else { throw StoreError.duplicateUserID(user.userID) }
            guard state.users[user.id] == nil else { throw StoreError.conflict("user \(user.id)") }
            state.users[user.id] = Self.inserted(user)
        }
    }

    /// What the adapters' `INSERT` keeps of a new user.
    static func inserted(_ user: User) -> User {
        var stored = user
        stored.userID = user.userID.lowercased()
        stored.lockout = Self.lockout(user.lockout, streakOf: SignInLockout())
        stored.authentication.recoveryCodesLeft = 0
        stored.authentication.passkeyCount = 0
        return stored
    }

    /// Every field but the id, the creation date, the streak (LockoutStore's own), the recovery codes
    /// (RecoveryCodeStore's) and the passkeys (PasskeyStore's), as the adapters' `UPDATE`.
    public func updateUser(_ user: User) async throws {
        try state.withLock { state in
            guard let old = state.users[user.id] else { throw StoreError.notFound("user \(user.userID)") }
            let userID = user.userID.lowercased()
            guard !state.users.values.contains(where: { $0.userID == userID && $0.id != user.id }) else {
                throw StoreError.conflict("user ID \(userID)")
            }
            state.users[user.id] = Self.updated(user, old: old)
        }
    }

    /// What the adapters' `UPDATE` writes over `old`.
    static func updated(_ user: User, old: User) -> User {
        var stored = user
        stored.userID = user.userID.lowercased()
        stored.createdAt = old.createdAt
        stored.lockout = Self.lockout(user.lockout, streakOf: old.lockout)
        stored.authentication.recoveryCodesLeft = old.authentication.recoveryCodesLeft
        stored.authentication.passkeyCount = old.authentication.passkeyCount
        return stored
    }

    public func user(id: UUID) async throws -> User? {
        state.withLock { state in
            state.reads.users += 1
            return state.users[id]
        }
    }

    public func user(userID: String) async throws -> User? {
        let wanted = userID.lowercased()
        return state.withLock { state in
            state.reads.users += 1
            return state.users.values.first { $0.userID == wanted }
        }
    }

    public func users(userIDs: [String]) async throws -> [User] {
        let wanted = Set(userIDs.map { $0.lowercased() })
        return state.withLock { state in state.users.values.filter { wanted.contains($0.userID) } }
    }

    /// As the adapters' indexes: users by user ID, or (term, id) pairs in byte order within the search's range.
    public func users(_ query: UserQuery) async throws -> UserPage {
        state.withLock { state in
            guard !query.search.isEmpty else {
                let after = query.after?.key ?? ""
                let users = Array(state.users.values.filter { precedesByBytes(after, $0.userID) }
                    .sorted { precedesByBytes($0.userID, $1.userID) }.dropFirst(max(query.offset, 0)).prefix(max(query.limit, 0)))
                return UserPage(users: users, next: users.count == query.limit ? users.last.map { UserCursor(key: $0.userID, id: $0.id) } : nil)
            }
            let high = UserSearch.upperBound(ofPrefix: query.search)
            let after = (query.after?.key ?? "", query.after?.id.uuidString ?? "")
            let pairs = state.users.values.flatMap { user in UserSearch.terms(of: user).map { (term: $0, id: user.id.uuidString, user: user) } }
                .filter { !precedesByBytes($0.term, query.search) && precedesByBytes($0.term, high) }
                .filter { precedesByBytes(after.0, $0.term) || (after.0 == $0.term && precedesByBytes(after.1, $0.id)) }
                .sorted { $0.term == $1.term ? precedesByBytes($0.id, $1.id) : precedesByBytes($0.term, $1.term) }
            let page = Array(pairs.dropFirst(max(query.offset, 0)).prefix(max(query.limit, 0)))
            var seen: Set<String> = []
            let users = page.filter { seen.insert($0.id).inserted }.map(\.user)
            return UserPage(users: users, next: page.count == query.limit ? page.last.map { UserCursor(key: $0.term, id: $0.user.id) } : nil)
        }
    }

    /// All of it or nothing: checked first, then written.
    public func apply(_ batch: UserBatch) async throws {
        try state.withLock { state in
            var taken = Set(state.users.values.map(\.userID))
            for user in batch.inserts {
                guard taken.insert(user.userID.lowercased()).inserted else { throw StoreError.duplicateUserID(user.userID) }
            }
            for user in batch.updates where state.users[user.id] == nil { throw StoreError.notFound("user \(user.userID)") }
            var copy = state
            for user in batch.inserts { copy.users[user.id] = Self.inserted(user) }
            for user in batch.updates { if let old = copy.users[user.id] { copy.users[user.id] = Self.updated(user, old: old) } }
            copy.auditEvents += batch.audit
            copy.registrationActivities += batch.registrations
            copy.resetActivities += batch.resets
            state = copy
        }
    }

    public func coverageCounts() async throws -> CoverageCounts {
        state.withLock { state in
            var profiles: [String: Int] = [:]
            for user in state.users.values { profiles[CoverageProfile(user).key, default: 0] += 1 }
            return CoverageCounts(
                usersByProfile: profiles, withRecoveryCodes: state.recoveryCodes.values.filter { !$0.isEmpty }.count,
                withPasskeys: Set(state.passkeys.values.map(\.userID)).count)
        }
    }

    public func userCount() async throws -> Int {
        state.withLock { $0.users.count }
    }

    public func userIDs(from source: UserSource) async throws -> [String] {
        state.withLock { state in state.users.values.filter { $0.source == source }.map(\.userID).sorted(by: precedesByBytes) }
    }

    public func users(withRole role: Role, limit: Int) async throws -> [User] {
        state.withLock { state in
            Array(state.users.values.filter { $0.roles.contains(role) }.sorted { precedesByBytes($0.userID, $1.userID) }.prefix(max(limit, 0)))
        }
    }

    /// What hangs off the user goes with it, as the adapters' cascades do: its code challenges, recovery codes,
    /// passkeys, access pass and report links.
    public func deleteUser(id: UUID) async throws {
        try state.withLock { state in
            guard state.users.removeValue(forKey: id) != nil else { throw StoreError.notFound("user \(id)") }
            state.authenticatorSteps[id] = nil
            state.challenges = state.challenges.filter { $0.value.userID != id }
            state.accessPasses.removeValue(forKey: id)
            state.recoveryCodes[id] = nil
            state.passkeys = state.passkeys.filter { $0.value.userID != id }
            state.reportLinks = state.reportLinks.filter { $0.value.userID != id }
        }
    }

    /// `lockout` with the streak of `other`.
    static func lockout(_ lockout: SignInLockout, streakOf other: SignInLockout) -> SignInLockout {
        SignInLockout(
            failures: lockout.failures, lockedUntil: lockout.lockedUntil, recentWrongPasswords: lockout.recentWrongPasswords,
            lastFailureAt: lockout.lastFailureAt, streak: other.streak, streakAt: other.streakAt)
    }
}

// MARK: AuthenticatorStore
extension InMemoryStore {
    public func claimAuthenticatorStep(_ step: Int64, ofUser id: UUID) async throws -> Bool {
        state.withLock { state in
            guard state.users[id] != nil, state.authenticatorSteps[id].map({ $0 < step }) ?? true else { return false }
            state.authenticatorSteps[id] = step
            return true
        }
    }
}

// MARK: LockoutStore
extension InMemoryStore {
    public func updateLockout(_ lockout: SignInLockout, ofUser id: UUID) async throws {
        state.withLock { state in
            guard let user = state.users[id] else { return }
            state.users[id]?.lockout = Self.lockout(lockout, streakOf: user.lockout)
        }
    }

    public func claimPasswordCheck(ofUser id: UUID, limit: DirectoryBindLimit, now: Date) async throws -> Bool {
        state.withLock { state in
            guard let lockout = state.users[id]?.lockout else { return false }
            let quiet = lockout.streakAt.map { $0 <= now.addingTimeInterval(-limit.window) } ?? true
            guard quiet || lockout.streak < limit.failures else { return false }
            let streak = SignInLockout(streak: quiet ? 1 : lockout.streak + 1, streakAt: now)
            state.users[id]?.lockout = Self.lockout(lockout, streakOf: streak)
            return true
        }
    }

    public func clearLockout(ofUser id: UUID) async throws {
        state.withLock { state in
            guard state.users[id] != nil else { return }
            state.users[id]?.lockout = SignInLockout()
        }
    }

    public func lockout(subject: String, now: Date) async throws -> SignInLockout? {
        state.withLock { state in state.lockouts[subject].flatMap { $0.expiresAt > now ? $0.lockout : nil } }
    }

    public func saveLockout(_ lockout: SignInLockout, subject: String, expiresAt: Date) async throws {
        state.withLock { $0.lockouts[subject] = (lockout, expiresAt) }
    }

    public func deleteLockouts(expiredBefore date: Date) async throws -> Int {
        state.withLock { state in
            let before = state.lockouts.count
            state.lockouts = state.lockouts.filter { $0.value.expiresAt >= date }
            return before - state.lockouts.count
        }
    }
}
