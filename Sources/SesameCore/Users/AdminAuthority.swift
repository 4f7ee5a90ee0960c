/// What each administrator role may do, and to whom (the roles as Entra scopes them, docs/behaviour.md#administration):
/// global administrators anything; user administrators manage everyone but global administrators and never grant that
/// role; password administrators reset and unlock users, helpdesk and password administrators; helpdesk administrators
/// reset and unlock users and helpdesk administrators. A temporary access pass, a way in without any method, is issued
/// by a global administrator for anyone and by the other administrators for users without a role only (an
/// administrator's account is the prize). Everyone with a role may look.
public enum AdminAction: Sendable, Hashable {
    case view
    case resetPassword
    case unlock
    case requireRegistration
    /// Names, pre-populated contact data, groups, enabled.
    case edit
    /// Setting `roles` as the new roles.
    case setRoles(Set<Role>)
    case importUsers
    /// Deleting the user (the JSON API alone offers it).
    case delete
    /// Issuing or revoking a temporary access pass (docs/behaviour.md#temporary-access-pass).
    case issueAccessPass
    /// Signing the user out everywhere: whoever may reset the password may (docs/security.md#sessions).
    case endSessions
}

public enum AdminAuthority {
    public static func allows(_ actor: User, _ action: AdminAction, on target: User? = nil) -> Bool {
        allows(actor.roles, action, on: target)
    }

    /// The same rules for whoever holds `roles`: an API token holds its scope's (``TokenScope/authority``).
    public static func allows(_ roles: Set<Role>, _ action: AdminAction, on target: User? = nil) -> Bool {
        if roles.contains(.globalAdmin) { return true }
        let targetRoles = target?.roles ?? []
        switch action {
        case .view:
            return !roles.isEmpty
        case .resetPassword, .unlock, .requireRegistration, .endSessions:
            if roles.contains(.userAdmin) { return !targetRoles.contains(.globalAdmin) }
            if roles.contains(.passwordAdmin) { return targetRoles.isSubset(of: [.passwordAdmin, .helpdeskAdmin]) }
            if roles.contains(.helpdeskAdmin) { return targetRoles.isSubset(of: [.helpdeskAdmin]) && action != .requireRegistration }
            return false
        case .edit, .importUsers, .delete:
            return roles.contains(.userAdmin) && !targetRoles.contains(.globalAdmin)
        case .issueAccessPass:
            return !roles.isDisjoint(with: [.userAdmin, .passwordAdmin, .helpdeskAdmin]) && targetRoles.isEmpty
        case .setRoles(let new):
            return roles.contains(.userAdmin) && !targetRoles.contains(.globalAdmin) && !new.contains(.globalAdmin)
        }
    }
}

extension AdminAction: CaseIterable {
    /// An action without its argument. ``AdminAction/kind`` maps every action to one, so that a new action does not
    /// compile until it has a kind, and ``AdminAction/allCases`` lists every kind.
    public enum Kind: Sendable, CaseIterable {
        case view, resetPassword, unlock, requireRegistration, edit, setRoles, importUsers, delete, issueAccessPass, endSessions
    }

    public var kind: Kind {
        switch self {
        case .view: .view
        case .resetPassword: .resetPassword
        case .unlock: .unlock
        case .requireRegistration: .requireRegistration
        case .edit: .edit
        case .setRoles: .setRoles
        case .importUsers: .importUsers
        case .delete: .delete
        case .issueAccessPass: .issueAccessPass
        case .endSessions: .endSessions
        }
    }

    /// Every action, a change of roles once to no role and once to each role alone: the rows of the authorization
    /// matrix (docs/security.md#authorization-matrix), and the actions whose rules the role tests check.
    public static var allCases: [AdminAction] {
        Kind.allCases.flatMap { kind -> [AdminAction] in
            switch kind {
            case .view: [.view]
            case .resetPassword: [.resetPassword]
            case .unlock: [.unlock]
            case .requireRegistration: [.requireRegistration]
            case .edit: [.edit]
            case .setRoles: [.setRoles([])] + Role.allCases.map { .setRoles([$0]) }
            case .importUsers: [.importUsers]
            case .delete: [.delete]
            case .issueAccessPass: [.issueAccessPass]
            case .endSessions: [.endSessions]
            }
        }
    }
}
