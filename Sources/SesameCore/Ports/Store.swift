/// Everything Sesame keeps, as one port. SQLite and PostgreSQL adapters implement it and pass the same contract suite.
public protocol Store: UserStore, PolicyStore, CodeStore, ThrottleStore, ActivityStore, TokenStore, SessionStore, DeliveryQueueStore,
    BrandingStore, LockoutStore, AccessPassStore, AuthenticatorStore, RecoveryCodeStore, ReportLinkStore, PasskeyStore
{
    /// Answers when the database is reachable; throws ``StoreError/unavailable(_:)`` otherwise.
    func ping() async throws
}
