import Foundation
import SesameDirectory

/// A directory the tests run against, from the environment file its start script wrote.
public struct TestDirectory: Sendable, CustomStringConvertible {
    public let kind: LDAPSettings.Kind
    let variable: String

    public static let all = [TestDirectory(kind: .openLDAP, variable: "SESAME_TEST_LDAP_ENV"), TestDirectory(kind: .activeDirectory, variable: "SESAME_TEST_AD_ENV")]

    public var description: String { kind == .openLDAP ? "OpenLDAP" : "Samba AD DC" }

    public func settings() throws -> LDAPSettings {
        guard let path = ProcessInfo.processInfo.environment[variable] else { throw Missing(variable: variable) }
        let values = Dictionary(uniqueKeysWithValues: try String(contentsOfFile: path, encoding: .utf8)
            .split(separator: "\n").compactMap { line in line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) } })
        let prefix = kind == .openLDAP ? "SESAME_TEST_LDAP_" : "SESAME_TEST_AD_"
        return LDAPSettings(
            url: values[prefix + "URL"]!, kind: kind, bindDN: values[prefix + "BIND_DN"]!, bindPassword: values[prefix + "BIND_PASSWORD"]!,
            baseDN: values[prefix + "BASE_DN"]!, certificateAuthorityFile: values[prefix + "CA_FILE"])
    }

    public func directory(_ change: (inout LDAPSettings) -> Void = { _ in }) throws -> LDAPDirectory {
        var settings = try settings()
        change(&settings)
        return LDAPDirectory(settings: settings)
    }

    /// The sign-in name: `uid` on OpenLDAP, the user principal name on Active Directory.
    public func user(_ name: String) -> String { kind == .openLDAP ? name : "\(name)@sspr.test" }

    public func mail(_ name: String) -> String { kind == .openLDAP ? "\(name)@example.org" : "\(name)@sspr.test" }

    /// The passwords the start scripts gave the users.
    public func initialPassword(_ name: String) -> String {
        let base = name.prefix(1).uppercased() + name.dropFirst()
        switch (kind, name) {
        case (.openLDAP, "alice"), (.openLDAP, "carol"), (.openLDAP, "bob"): return "\(base)-Pass-1"
        case (.openLDAP, _): return "\(base)-Pass-12"
        case (.activeDirectory, "alice"), (.activeDirectory, "carol"): return "\(base)!Pass-1"
        case (.activeDirectory, _): return "\(base)!Pass-12"
        }
    }

    struct Missing: Error, CustomStringConvertible {
        let variable: String
        var description: String { "\(variable) is not set: run the tests with scripts/test, which starts slapd and Samba's AD DC" }
    }
}
