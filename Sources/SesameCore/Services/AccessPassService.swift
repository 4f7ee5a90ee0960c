import Foundation

/// Issues temporary access passes and checks them (docs/behaviour.md#temporary-access-pass). Whether an
/// administrator may issue one for a user is the front end's check (``AdminAction/issueAccessPass``), as for every
/// administrator action; this service audits and notifies.
public struct AccessPassService: Sendable {
    private let store: any Store
    private let hasher: any PasswordHasher
    private let clock: any WallClock
    private let random: any RandomSource
    private let outbox: any Outbox

    public init(store: any Store, hasher: any PasswordHasher, clock: any WallClock, random: any RandomSource, outbox: any Outbox) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
        self.random = random
        self.outbox = outbox
    }

    /// A pass as shown once to the administrator who issued it.
    public struct Issued: Sendable, Hashable {
        /// In groups of four.
        public let pass: String
        public let expiresAt: Date
        public let singleUse: Bool
    }

    /// Issues a pass for `userID` on `terms`, replacing the user's previous one, and tells the user's email
    /// addresses. Throws ``ValidationError`` for terms out of bounds and ``AdministrationError`` for an unknown user.
    public func issue(to userID: String, terms: AccessPassTerms, actor: String) async throws -> Issued {
        try terms.validate()
        guard let user = try await store.user(userID: userID) else { throw AdministrationError.unknownUser(userID) }
        let pass = AccessPassText.generate(length: terms.length, random: random)
        let now = clock.now
        let record = TemporaryAccessPass(
            userID: user.id, hash: try await hasher.hash(pass), issuedBy: actor, issuedAt: now, expiresAt: now.addingTimeInterval(terms.lifetime),
            singleUse: terms.singleUse)
        try await store.saveAccessPass(record)
        let minutes = Int(terms.lifetime / 60)
        try await store.appendAudit(AuditEvent(
            at: now, activity: .accessPassIssued, actor: actor, target: user.userID,
            detail: "\(minutes) minutes, \(terms.singleUse ? "single use" : "reusable")"))
        let organisation = try await store.policy()?.policy.organisationName ?? Policy().organisationName
        let addresses = Set([user.authentication.authenticationEmail, user.authentication.alternateEmail].compactMap { $0 })
        for address in addresses.sorted() {
            try await outbox.post(MessageComposer.accessPassIssued(
                to: address, userID: user.userID, minutes: minutes, organisation: organisation, language: user.locale ?? .english))
        }
        return Issued(pass: AccessPassText.grouped(pass), expiresAt: record.expiresAt, singleUse: terms.singleUse)
    }

    /// Voids the user's pass, if any.
    public func revoke(for userID: String, actor: String) async throws {
        guard let user = try await store.user(userID: userID) else { throw AdministrationError.unknownUser(userID) }
        guard try await store.accessPass(ofUser: user.id) != nil else { return }
        try await store.deleteAccessPass(ofUser: user.id)
        try await store.appendAudit(AuditEvent(at: clock.now, activity: .accessPassRevoked, actor: actor, target: user.userID))
    }

    /// The user's pass while it can still be used.
    public func usablePass(of user: User) async throws -> TemporaryAccessPass? {
        try await store.accessPass(ofUser: user.id).flatMap { $0.isUsable(at: clock.now) ? $0 : nil }
    }

    /// Whether `typed` is the user's usable pass. A right one is used at once (spent, if single use), in one
    /// statement, so that two requests with one single-use pass cannot both pass. One Argon2id check at most.
    public func redeem(_ typed: String, by user: User) async throws -> Bool {
        guard let pass = try await usablePass(of: user), let text = AccessPassText.normalised(typed),
            await hasher.verify(text, against: pass.hash), try await store.useAccessPass(pass.id, now: clock.now)
        else { return false }
        try await store.appendAudit(AuditEvent(at: clock.now, activity: .accessPassUsed, actor: user.userID, target: user.userID))
        return true
    }
}
