import Foundation

extension UserStore {
    /// Who hears of a user's trouble — "contact your administrator" (docs/behaviour.md#contact-your-administrator) and
    /// "This wasn't me" (docs/behaviour.md#this-wasnt-me): the first tier of administrators that has anyone in it
    /// (helpdesk and password administrators, else user administrators, else global administrators), the user
    /// excluded, at most 100 people.
    public func administratorsToContact(excluding userID: UUID) async throws -> [User] {
        let limit = 100
        for tier: [Role] in [[.helpdeskAdmin, .passwordAdmin], [.userAdmin], [.globalAdmin]] {
            var found: [UUID: User] = [:]
            for role in tier {
                for admin in try await users(withRole: role, limit: limit + 1) where admin.id != userID { found[admin.id] = admin }
            }
            if !found.isEmpty { return Array(found.values.sorted { $0.userID < $1.userID }.prefix(limit)) }
        }
        return []
    }
}
