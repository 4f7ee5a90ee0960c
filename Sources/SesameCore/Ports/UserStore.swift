import Foundation

/// Users and their authentication data.
public protocol UserStore: Sendable {
    /// Adds a user; throws ``StoreError/duplicateUserID(_:)`` when the user ID is taken.
    func insertUser(_ user: User) async throws
    /// Replaces a user's record; throws ``StoreError/notFound(_:)`` for an unknown id.
    func updateUser(_ user: User) async throws
    func user(id: UUID) async throws -> User?
    /// Looks a user up by sign-in name, ignoring case.
    func user(userID: String) async throws -> User?
    /// Users whose user ID or display name contains `search` (all when `nil`), ordered by user ID.
    func users(search: String?, limit: Int, offset: Int) async throws -> [User]
    func userCount() async throws -> Int
    /// Users holding `role`, for the "contact your administrator" recipients.
    func users(withRole role: Role, limit: Int) async throws -> [User]
    func deleteUser(id: UUID) async throws
}
