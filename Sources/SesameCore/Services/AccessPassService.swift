import Foundation

/// Issues temporary access passes and checks them (docs/behaviour.md#temporary-access-pass). Who may issue one is
/// checked here, for every front end, against the issuer's authority (``AdminAction/issueAccessPass``); the pass
/// remembers whether that authority covered administrators, so that it serves nobody who became one since.
public struct AccessPassService: Sendable {
    private let store: any Store
    private let hasher: any PasswordHasher
    private let clock: any WallClock
    private let random: any RandomSource
    private let reportLinks: ReportLinks
    private let policies: PolicyCache

    public init(
        store: any Store, hasher: any PasswordHasher, clock: any WallClock, random: any RandomSource, reportLinks: ReportLinks,
        policies: PolicyCache? = nil
    ) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
        self.random = random
        self.reportLinks = reportLinks
        self.policies = policies ?? PolicyCache(store: store, lifetime: .zero)
    }

    /// A pass as shown once to the administrator who issued it.
    public struct Issued: Sendable, Hashable {
        /// In groups of four.
        public let pass: String
        public let expiresAt: Date
        public let singleUse: Bool
    }

    /// What a typed pass proved.
    public enum Check: Sendable, Hashable {
        case accepted(passID: UUID)
        /// The right shape, but not the user's usable pass.
        case wrong
        /// Cannot be a pass at all: refused before any hashing, and no proof of anything.
        case malformed
    }

    /// Issues a pass for `userID` on `terms`, replacing the user's previous one, lifts the user's 24-hour block on
    /// wrong proofs (the helpdesk's pass is the way back for someone an outsider locked out), and tells the user's
    /// email addresses with a "This wasn't me" link. Throws ``ValidationError`` for terms out of bounds,
    /// ``AdministrationError`` for an unknown user and ``AccessPassError`` when `authority` does not cover the user.
    public func issue(to userID: String, terms: AccessPassTerms, authority: Set<Role>, actor: String) async throws -> Issued {
        try terms.validate()
        guard let user = try await store.user(userID: userID) else { throw AdministrationError.unknownUser(userID) }
        guard AdminAuthority.allows(authority, .issueAccessPass, on: user) else { throw AccessPassError.notAllowed(user.userID) }
        let pass = AccessPassText.generate(length: terms.length, random: random)
        let now = clock.now
        let record = TemporaryAccessPass(
            userID: user.id, hash: try await hasher.hash(pass), issuedBy: actor, issuedAt: now, expiresAt: now.addingTimeInterval(terms.lifetime),
            singleUse: terms.singleUse, coversRoles: authority.contains(.globalAdmin))
        try await store.saveAccessPass(record)
        try await store.clearThrottles(subject: user.id.uuidString, kinds: [.identityProof, .addressIdentityProof])
        try await store.appendAudit(AuditEvent(
            at: now, activity: .accessPassIssued, actor: actor, target: user.userID,
            detail: "\(Int(terms.lifetime / 60)) minutes, \(terms.singleUse ? "single use" : "reusable")"))
        await reportLinks.tell(user, of: .accessPassIssued, policy: try await policies.policy())
        return Issued(pass: AccessPassText.grouped(pass), expiresAt: record.expiresAt, singleUse: terms.singleUse)
    }

    /// Voids the user's pass, if any.
    public func revoke(for userID: String, actor: String) async throws {
        guard let user = try await store.user(userID: userID) else { throw AdministrationError.unknownUser(userID) }
        guard try await store.accessPass(ofUser: user.id) != nil else { return }
        try await store.deleteAccessPass(ofUser: user.id)
        try await store.appendAudit(AuditEvent(at: clock.now, activity: .accessPassRevoked, actor: actor, target: user.userID))
    }

    /// The user's pass while it can still serve them.
    public func usablePass(of user: User) async throws -> TemporaryAccessPass? {
        try await store.accessPass(ofUser: user.id).flatMap { $0.isUsable(by: user, at: clock.now) ? $0 : nil }
    }

    /// Whether the pass a reset redeemed is still the user's: a revoked or replaced one no longer lets the reset end.
    public func isCurrent(_ passID: UUID, of user: User) async throws -> Bool {
        try await store.accessPass(ofUser: user.id)?.id == passID
    }

    /// Checks `typed` against the user's usable pass; a right one is used at once (spent, if single use), in one
    /// statement, so that two requests with one single-use pass cannot both pass. Well-formed input costs one
    /// Argon2id computation whether or not the user holds a pass, so that the time taken does not tell.
    public func redeem(_ typed: String, by user: User, requestID: String? = nil) async throws -> Check {
        guard let text = AccessPassText.normalised(typed) else { return .malformed }
        guard let pass = try await usablePass(of: user) else {
            _ = try await hasher.hash(text)
            return .wrong
        }
        guard await hasher.verify(text, against: pass.hash), try await store.useAccessPass(pass.id, now: clock.now) else { return .wrong }
        try await store.appendAudit(AuditEvent(
            at: clock.now, activity: .accessPassUsed, actor: "anonymous", target: user.userID, requestID: requestID))
        return .accepted(passID: pass.id)
    }

    /// Forgets the user's pass: after the reset it served (a reusable one included), and when an administrator
    /// resets the password, disables the account or changes its roles.
    public func discard(of user: User) async throws {
        try await store.deleteAccessPass(ofUser: user.id)
    }
}

public enum AccessPassError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The issuer's authority does not cover this user (a user who holds a role needs a global administrator).
    case notAllowed(String)

    public var description: String {
        switch self {
        case .notAllowed(let userID): "only a global administrator may issue a pass for \(userID), who holds a role"
        }
    }
}
