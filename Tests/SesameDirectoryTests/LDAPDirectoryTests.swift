import Foundation
import SesameDirectory
import Testing

/// Against the throwaway slapd of `scripts/slapd` (ppolicy: at least 8 characters, history 3, lockout after 3
/// failures), over StartTLS with its certificate: every answer is proved by binding.
@Suite(.serialized) struct LDAPDirectoryTests {
    let environment: [String: String]
    let directory: LDAPDirectory

    init() throws {
        guard let path = ProcessInfo.processInfo.environment["SESAME_TEST_LDAP_ENV"] else {
            throw Missing()
        }
        environment = Dictionary(uniqueKeysWithValues: try String(contentsOfFile: path, encoding: .utf8)
            .split(separator: "\n").compactMap { line in line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) } })
        directory = LDAPDirectory(settings: LDAPSettings(
            url: environment["SESAME_TEST_LDAP_URL"]!, bindDN: environment["SESAME_TEST_LDAP_ADMIN_DN"]!,
            bindPassword: environment["SESAME_TEST_LDAP_ADMIN_PASSWORD"]!, certificateAuthorityFile: environment["SESAME_TEST_LDAP_CA_FILE"]))
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String { "SESAME_TEST_LDAP_ENV is not set: run the tests with scripts/test, which starts slapd" }
    }

    func dn(_ uid: String) -> String { "uid=\(uid),\(environment["SESAME_TEST_LDAP_BASE_DN"]!)" }

    @Test func resetChangeAndThePolicysRefusals() async throws {
        let alice = dn("alice")
        try await directory.resetPassword(dn: alice, new: "Reset-Pass-1")
        #expect(try await directory.verify(dn: alice, password: "Reset-Pass-1"))
        #expect(try await directory.verify(dn: alice, password: "Alice-Pass-1") == false)
        await #expect(throws: DirectoryError.passwordTooShort) {
            try await directory.changePassword(dn: alice, current: "Reset-Pass-1", new: "short")
        }
        try await directory.changePassword(dn: alice, current: "Reset-Pass-1", new: "Changed-Pass-2")
        #expect(try await directory.verify(dn: alice, password: "Changed-Pass-2"))
        await #expect(throws: DirectoryError.passwordInHistory) {
            try await directory.changePassword(dn: alice, current: "Changed-Pass-2", new: "Reset-Pass-1")
        }
    }

    @Test func lockoutAndUnlock() async throws {
        let bob = dn("bob")
        try await directory.resetPassword(dn: bob, new: "Bob-Pass-2")
        for _ in 0..<3 { #expect(try await directory.verify(dn: bob, password: "wrong-password") == false) }
        #expect(try await directory.isLocked(dn: bob))
        await #expect(throws: DirectoryError.accountLocked) { _ = try await directory.verify(dn: bob, password: "Bob-Pass-2") }
        try await directory.unlock(dn: bob)
        #expect(try await directory.isLocked(dn: bob) == false)
        #expect(try await directory.verify(dn: bob, password: "Bob-Pass-2"))
    }

    @Test func anUntrustedCertificateIsRefused() async throws {
        let untrusting = LDAPDirectory(settings: LDAPSettings(
            url: environment["SESAME_TEST_LDAP_URL"]!, bindDN: environment["SESAME_TEST_LDAP_ADMIN_DN"]!,
            bindPassword: environment["SESAME_TEST_LDAP_ADMIN_PASSWORD"]!))
        await #expect {
            _ = try await untrusting.isLocked(dn: dn("alice"))
        } throws: { error in
            guard case DirectoryError.unavailable(let reason) = error else { return false }
            return reason.contains("StartTLS")
        }
    }
}
