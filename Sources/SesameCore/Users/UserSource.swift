/// Where a user's password lives: Sesame's own store, or the directory (LDAP / Active Directory) it writes back to.
public enum UserSource: String, Sendable, Codable, CaseIterable {
    case local
    case directory
}
