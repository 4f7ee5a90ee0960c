import Foundation

/// "This wasn't me" (docs/behaviour.md#this-wasnt-me): every notice about a user's password or recovery methods
/// carries a one-time link, and following it (after a confirmation) ends the user's sessions, blocks self-service
/// reset for the account for 24 hours, audits it and tells the administrators.
///
/// A notice of a new kind carries the link with one call: ``tell(_:of:organisation:)``, or
/// ``issue(for:event:language:)`` for a text of its own.
public struct ReportLinks: Sendable {
    private let store: any Store
    private let secret: ServerSecret
    private let random: any RandomSource
    private let clock: any WallClock
    private let outbox: any Outbox
    private let throttles: Throttles
    private let policies: PolicyCache
    /// Where users reach Sesame, without a trailing slash: the start of every link.
    private let baseURL: String

    /// - Parameters:
    ///   - publicURL: the address users reach Sesame at (`SESAME_PUBLIC_URL`).
    ///   - policies: the instance's policy cache; without one, every read asks the store.
    public init(
        store: any Store, secret: ServerSecret, random: any RandomSource, clock: any WallClock, outbox: any Outbox, publicURL: String,
        policies: PolicyCache? = nil, metrics: SesameMetrics = .none
    ) {
        self.store = store
        self.secret = secret
        self.random = random
        self.clock = clock
        self.outbox = outbox
        self.throttles = Throttles(store: store, clock: clock, metrics: metrics)
        self.policies = policies ?? PolicyCache(store: store, lifetime: .zero)
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
    }

    /// The path of every link, before its token.
    public static let path = "/wasnt-me/"

    /// Makes and stores a link for `event` of `user`, and returns it whole, ready for a notice in `language` (the
    /// page it opens speaks the notice's language).
    public func issue(for user: UUID, event: ReportedEvent, subject: String? = nil, language: Language) async throws -> String {
        let token = random.bytes(ReportLink.tokenBytes).base64URL
        let now = clock.now
        try await store.insertReportLink(ReportLink(
            mac: secret.mac(ReportLink.macMessage(token: token)), userID: user, event: event, issuedAt: now,
            expiresAt: now.addingTimeInterval(ReportLink.lifetime), subject: subject))
        return "\(baseURL)\(Self.path)\(token)?lang=\(language.rawValue)"
    }

    /// Tells `user` of `event` on their own account, at every address on file, in their language (else the
    /// organisation's default), with one link for
    /// the event (docs/behaviour.md#notices): the one call a notice of a new kind needs, besides its `ReportedEvent`
    /// case and its texts. Queued: nothing waits for it, and a notice that cannot be queued undoes nothing.
    /// `subject`: what the event added, which following the link takes away (a passkey's ID).
    public func tell(_ user: User, of event: ReportedEvent, subject: String? = nil, policy: Policy) async {
        let (language, organisation) = (user.locale ?? policy.defaultLanguage, policy.organisationName)
        let addresses = user.noticeAddresses
        guard !addresses.isEmpty, let link = try? await issue(for: user.id, event: event, subject: subject, language: language) else { return }
        for address in addresses {
            try? await outbox.post(MessageComposer.inBoth(language, policy.defaultLanguage) {
                MessageComposer.accountNotice(event, to: address, userID: user.userID, reportLink: link, organisation: organisation, language: $0)
            })
        }
    }

    /// The notices of a change of contact data (docs/behaviour.md#notices), all carrying one link for the change;
    /// none, and no link, when nobody is to be told. In `language`, and the organisation's too when it differs.
    public func notices(of change: ContactChange, user: User, policy: Policy, language: Language) async throws -> [OutgoingMessage] {
        guard change.tellsAnyone else { return [] }
        let link = try await issue(for: user.id, event: .methodsChanged, language: language)
        return change.notices(
            userID: user.userID, organisation: policy.organisationName, language: language, alsoIn: policy.defaultLanguage, reportLink: link)
    }

    /// Whether `token` is a link that can still be used: the confirmation page shows only then. Reads, never acts.
    public func isLive(_ token: String) async throws -> Bool {
        guard let mac = mac(of: token) else { return false }
        return try await store.reportLink(mac: mac)?.isLive(at: clock.now) == true
    }

    /// Acts on a confirmed "This wasn't me": the link is spent first, atomically, so that a replay or a second
    /// instance acts never again. `false` for a used, expired or unknown link, and for a user deleted since; the page
    /// says the same in every case.
    public func report(_ token: String, requestID: String?) async throws -> Bool {
        let now = clock.now
        guard let mac = mac(of: token), let link = try await store.consumeReportLink(mac: mac, now: now),
              let user = try await store.user(id: link.userID)
        else { return false }
        // A passkey someone else added would sign them in again: the one the notice was about, and any added since a
        // reset or step-up that could have led to the event began, go first, before the sessions they could renew.
        let since = link.issuedAt.addingTimeInterval(-ResetFlow.lifetime)
        _ = try await store.removePasskeys(
            of: user, where: { $0.id.uuidString == link.subject || $0.createdAt >= since }, by: user.userID, at: now, requestID: requestID)
        // Whoever holds the account now is out, and cannot take it back by a reset for the next 24 hours.
        _ = try await store.deleteSessions(userID: user.id, keeping: nil)
        _ = try await throttles.record(.reportedEvent, user.id.uuidString)
        try await store.appendAudit(AuditEvent(
            at: now, activity: .reportedEvent, actor: user.userID, target: user.userID, detail: link.event.text.description, requestID: requestID))
        let policy = try await policies.policy()
        let organisation = policy.organisationName
        for admin in try await store.administratorsToContact(excluding: user.id) {
            guard let address = admin.noticeAddress else { continue }
            let language = admin.locale ?? policy.defaultLanguage
            try? await outbox.post(MessageComposer.reportedEvent(
                to: address, userID: user.userID, event: link.event.text.rendered(in: language), supportCode: requestID ?? "",
                organisation: organisation, language: language))
        }
        return true
    }

    /// The MAC a well-formed token is stored under; `nil` for anything else, which is never looked up.
    private func mac(of token: String) -> [UInt8]? {
        guard token.utf8.count == ReportLink.tokenLength,
              token.utf8.allSatisfy({ $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else { return nil }
        return secret.mac(ReportLink.macMessage(token: token))
    }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }
}
