import Foundation

/// The outbox with the daily phone budget in front of it (docs/security.md#phone-budget). Counters live in the
/// store, one per scope and UTC day, so that every instance spends the same budget. A text or call over budget is
/// refused like a provider's refusal — the page says the code could not be sent — and counted; the first refusal of
/// a day and scope is audited and told to the global administrators, once.
public struct BudgetedOutbox: Outbox {
    private let outbox: any Outbox
    private let budget: PhoneBudget
    private let store: any Store
    private let clock: any WallClock
    private let policies: PolicyCache
    private let metrics: SesameMetrics

    public init(_ outbox: any Outbox, budget: PhoneBudget, store: any Store, clock: any WallClock, policies: PolicyCache, metrics: SesameMetrics = .none) {
        self.outbox = outbox
        self.budget = budget
        self.store = store
        self.clock = clock
        self.policies = policies
        self.metrics = metrics
    }

    public func send(_ message: OutgoingMessage) async throws {
        try await spend(on: message)
        try await outbox.send(message)
    }

    public func post(_ message: OutgoingMessage) async throws {
        try await spend(on: message)
        try await outbox.post(message)
    }

    /// Counts `message` against its country's budget, if it has one, then the overall one.
    private func spend(on message: OutgoingMessage) async throws {
        guard message.channel != .email else { return }
        let now = clock.now
        var scopes: [(name: String, limit: Int)] = [("all", budget.daily)]
        if let code = (try? PhoneNumber(international: message.to))?.callingCode, let limit = budget.byCallingCode[code] {
            scopes.insert(("+\(code)", limit), at: 0)
        }
        let day = Self.day(now)
        for scope in scopes {
            // A budget of 0 sends nothing; it is not a counter's limit (which lets its first event through).
            var allowed = false
            if scope.limit > 0 {
                let key = ThrottleKey(.phoneBudget, "\(scope.name) \(day)")
                allowed = try await store.recordEvent(key, rule: ThrottleKind.phoneBudget.rule(limit: scope.limit), now: now).allowed
            }
            guard allowed else {
                metrics.throttled(.phoneBudget)
                await tellOnce(scope: scope.name, limit: scope.limit, day: day)
                throw DeliveryError("the daily budget of texts and calls (\(scope.name)) is spent")
            }
        }
    }

    /// Audits the first refusal of the day for `scope` and emails the global administrators. Best effort: the refusal
    /// stands whether or not they can be told.
    private func tellOnce(scope: String, limit: Int, day: String) async {
        let now = clock.now
        guard (try? await store.recordEvent(ThrottleKey(.phoneBudgetNotice, "\(scope) \(day)"), rule: ThrottleKind.phoneBudgetNotice.rule, now: now))?.allowed == true
        else { return }
        try? await store.appendAudit(AuditEvent(
            at: now, activity: .phoneBudgetSpent, actor: "sesame", target: scope, status: .failure,
            detail: "\(limit) texts and calls on \(day) (UTC)"))
        let policy = (try? await policies.current().policy) ?? Policy()
        let organisation = policy.organisationName
        for admin in (try? await store.users(withRole: .globalAdmin, limit: 100)) ?? [] {
            guard let address = admin.noticeAddress else { continue }
            try? await outbox.post(MessageComposer.phoneBudgetSpent(
                to: address, scope: scope, limit: limit, organisation: organisation, language: admin.locale ?? policy.defaultLanguage))
        }
    }

    /// The UTC day, `2026-12-03`: each day its own counters, so a budget spent at 23:00 is whole again at midnight.
    static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
