import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// NIST's rules with NFKC, from the setting of a password to its use (docs/behaviour.md#passwords), and initial
/// passwords set by someone else (docs/behaviour.md#administrator-set-passwords). Each was a reviewer's finding.
@Suite struct PasswordNormalisationTests {
    let clock = ManualClock(t0)
    let store: any Store
    let administration: UserAdministration
    let signIns: SignInService

    init() async throws {
        store = InMemoryStore()
        let outbox = RecordingSender()
        administration = UserAdministration(store: store, hasher: fastHasher, clock: clock, outbox: outbox, reportLinks: .testing(store: store, clock: clock, outbox: outbox))
        signIns = SignInService(
            store: store, hasher: fastHasher, directory: nil, secret: .generate(using: SystemRandomSource()), clock: clock,
            dummyHash: try await fastHasher.hash("dummy"))
        _ = try await store.savePolicy(try Policy().setting(.passwordRules, to: "nist"), expectedVersion: 0)
    }

    /// Under `nist` the password is hashed as its NFKC form: sign-in checks that form of what is typed, so a password
    /// with a ligature or full-width letters signs in as it was typed.
    @Test func aNISTPasswordSignsInAsItWasTyped() async throws {
        let typed = "ﬁve quiet ﬂamingos ｚｑ"
        try await administration.add(UserDraft(userID: "alice@contoso.com", password: typed), actor: "cli")
        guard case .accepted = try await signIns.signIn(userID: "alice@contoso.com", password: typed, clientAddress: "203.0.113.1") else {
            throw TestFailure("the password set under nist does not sign in as typed")
        }
    }

    /// The current password, at a change, is checked the same way.
    @Test func aNISTPasswordCanBeChangedWithTheCurrentOneAsTyped() async throws {
        let typed = "ﬁve quiet ﬂamingos ｚｑ"
        let user = try await administration.add(UserDraft(userID: "alice@contoso.com", password: typed), actor: "cli")
        #expect(try await signIns.checkCurrentPassword(typed, of: user) != .failed)
    }

    /// The minimum counts what was typed: one character that NFKC expands to 18 (U+FDFA) is not 15.
    @Test func oneTypedCharacterIsNotFifteen() {
        let engine = PasswordPolicyEngine(rules: .nist)
        #expect(engine.check("\u{FDFA}", context: PasswordContext()).contains(.tooShort))
    }

    /// An import row that creates a user with a password marks it to be changed at the first sign-in when an
    /// administrator imports (ASVS 5.0 6.4.1 is about initial passwords); the operator's own import provisions
    /// passwords meant to stay, as `sesame user add` does.
    @Test func anAdministratorsImportedPasswordMustBeChanged() async throws {
        let importer = UserImport(administration: administration, store: store)
        let admin = try await administration.add(UserDraft(userID: "admin@contoso.com", roles: [.globalAdmin]), actor: "cli")
        let csv = """
            UserID,displayName,password
            alice@contoso.com,Alice,Zq8#Lw4!Vr2k-quiet-birds
            """
        #expect(try await importer.run(csv, by: .administrator(admin), actor: "admin@contoso.com") == [.created(line: 2, userID: "alice@contoso.com")])
        #expect(try await store.user(userID: "alice@contoso.com")?.passwordChangeRequired == true)
        let operators = csv.replacingOccurrences(of: "alice@", with: "bob@")
        #expect(try await importer.run(operators, by: .serverOperator, actor: "cli") == [.created(line: 2, userID: "bob@contoso.com")])
        #expect(try await store.user(userID: "bob@contoso.com")?.passwordChangeRequired == false)
    }
}
