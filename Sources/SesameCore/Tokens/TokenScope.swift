import Foundation

/// What an API bearer token may do. Each scope holds the one before it: `read` is every GET; `users` adds the
/// administration of users (create, change, delete, import) with a user administrator's authority; `full` is
/// everything, with a global administrator's. Which scope each operation needs is the API's route table.
public enum TokenScope: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case read
    case users
    case full

    /// Tokens made before scopes existed could do everything, and keep doing so.
    public static let `default` = TokenScope.full

    public var description: String { rawValue }

    /// A scope as typed on the command line.
    public static func parse(_ text: String) throws(ValidationError) -> TokenScope {
        guard let scope = TokenScope(rawValue: text.trimmingWhiteSpace()) else {
            throw ValidationError("token.scope.unknown", ["value": text, "allowed": allCases.map(\.rawValue).joined(separator: ", ")], field: "scope")
        }
        return scope
    }

    /// Whether a token of this scope may run an operation that needs `needed`.
    public func includes(_ needed: TokenScope) -> Bool {
        rank >= needed.rank
    }

    /// The roles whose ``AdminAuthority`` the token holds over users: a `users` token may do to a user exactly what a
    /// user administrator could in the portal (never to a global administrator, never granting that role), so that
    /// a leaked integration token cannot make its holder a global administrator.
    public var authority: Set<Role> {
        switch self {
        case .read: []
        case .users: [.userAdmin]
        case .full: [.globalAdmin]
        }
    }

    private var rank: Int {
        switch self {
        case .read: 0
        case .users: 1
        case .full: 2
        }
    }
}
