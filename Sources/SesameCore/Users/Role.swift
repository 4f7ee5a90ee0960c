import Foundation

/// Administrator roles. Any role makes a user privileged (docs/behaviour.md#conventions).
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case globalAdmin
    case passwordAdmin
    case userAdmin
    case helpdeskAdmin

    public static func < (lhs: Role, rhs: Role) -> Bool {
        (allCases.firstIndex(of: lhs) ?? allCases.endIndex) < (allCases.firstIndex(of: rhs) ?? allCases.endIndex)
    }

    /// Parses a role name as written on the command line or in a CSV (`none` means no role).
    public static func parseList(_ text: String) throws(ValidationError) -> Set<Role> {
        var roles: Set<Role> = []
        for item in text.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " }) {
            let name = item.trimmingWhiteSpace()
            if name.isEmpty || name == "none" { continue }
            guard let role = Role(rawValue: name) else {
                throw ValidationError("role.unknown", ["value": name, "allowed": Role.allCases.map(\.rawValue).joined(separator: ", ")])
            }
            roles.insert(role)
        }
        return roles
    }
}
