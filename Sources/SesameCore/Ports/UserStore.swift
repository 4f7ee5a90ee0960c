import Foundation

/// Users and their authentication data.
public protocol UserStore: Sendable {
    /// Adds a user; throws ``StoreError/duplicateUserID(_:)`` when the user ID is taken.
    func insertUser(_ user: User) async throws
    /// Replaces a user's record; throws ``StoreError/notFound(_:)`` for an unknown id.
    func updateUser(_ user: User) async throws
    /// Inserts, updates and audits many users in one transaction: all of it is written, or none
    /// (docs/scale.md#batches). Throws as ``insertUser(_:)`` and ``updateUser(_:)`` would.
    func apply(_ batch: UserBatch) async throws
    func user(id: UUID) async throws -> User?
    /// Looks a user up by sign-in name, ignoring case.
    func user(userID: String) async throws -> User?
    /// The users among these sign-in names (ignoring case) that exist, in no particular order: one query for a batch.
    func users(userIDs: [String]) async throws -> [User]
    /// A page of users: all of them by user ID, or those with a term starting with the search, by term
    /// (docs/scale.md#search). A user matching several terms may appear on more than one page.
    func users(_ query: UserQuery) async throws -> UserPage
    func userCount() async throws -> Int
    /// The user IDs of the users from one source, in user-ID order, without reading the users: what a directory sync
    /// compares with the directory's list, among a million users (docs/scale.md#batches).
    func userIDs(from source: UserSource) async throws -> [String]
    /// Users holding `role`, for the "contact your administrator" recipients.
    func users(withRole role: Role, limit: Int) async throws -> [User]
    func deleteUser(id: UUID) async throws
    /// Users per ``CoverageProfile`` key, counted in the database, for the coverage chart.
    func coverageCounts() async throws -> CoverageCounts
}

/// Writes for ``UserStore/apply(_:)``: an import's or a sync's users, a few thousand at a time, and the log rows
/// that record them.
public struct UserBatch: Sendable {
    public var inserts: [User] = []
    public var updates: [User] = []
    public var audit: [AuditEvent] = []
    public var registrations: [RegistrationActivity] = []
    public var resets: [ResetActivity] = []

    public init() {}

    public var count: Int { inserts.count + updates.count + audit.count + registrations.count + resets.count }
}
