import Foundation
import SesameCore

/// `serve --demo`: a small organisation to try Sesame with, created once and described at every start.
struct DemoSeed {
    let context: AppContext

    static let organisation = "Contoso"
    static let people: [(userID: String, given: String, surname: String, role: Role?, mobile: String?, email: String?)] = [
        ("admin@contoso.example", "Ada", "Admin", .globalAdmin, "+33 6 12 34 56 78", "ada.admin@example.org"),
        ("alice@contoso.example", "Alice", "Martin", nil, "+33 6 98 76 54 32", "alice.martin@example.org"),
        ("bob@contoso.example", "Bob", "Durand", nil, nil, nil),
    ]

    /// Creates what is missing and returns the lines to print (passwords only for users created now).
    func run() async throws -> [String] {
        if try await context.policies.current().version == 0 {
            try await context.policies.set(.organisationName, to: Self.organisation, actor: "demo")
            try await seedActivity()
        }
        var lines = ["Demo organisation \(Self.organisation) (development only):"]
        for person in Self.people {
            if try await context.store.user(userID: person.userID) != nil {
                lines.append("  \(person.userID) (already seeded; its password was printed when it was created)")
                continue
            }
            let password = Self.password(using: context.random)
            try await context.users.add(
                UserDraft(
                    userID: person.userID, password: password, displayName: "\(person.given) \(person.surname)",
                    givenName: person.given, surname: person.surname, mobilePhone: person.mobile,
                    alternateEmail: person.email, roles: person.role.map { [$0] } ?? []),
                actor: "demo", initialPasswordStays: true)
            lines.append("  \(person.userID)  password: \(password)\(person.role.map { "  (\($0.rawValue))" } ?? "")")
        }
        return lines
    }

    /// A month of made-up activity, so that the reports and their charts have something to show.
    private func seedActivity() async throws {
        let now = context.clock.now
        let details: [ResetDetail] = [
            .succeeded, .succeeded, .succeeded, .abandonedAfterUserID, .insufficientMethods, .blockedInvalidCodes(.mobileSMS),
            .cancelledBeforeMethods, .contactedAdminBeforeOption, .succeeded, .abandonedAfterStartingOption(.email),
        ]
        let typed = ["alice@contoso.example", "bob@contoso.example", "carol@contoso.example", "admin@contoso.example"]
        for day in 1...30 {
            for index in 0..<(day * 7 % 5 + 1) {
                let detail = details[(day + index) % details.count]
                let options: [VerificationOption] = detail.result == .succeeded ? [[.mobileSMS], [.email], [.mobileVoice]][(day + index) % 3] : []
                try await context.store.appendResetActivity(ResetActivity(
                    at: now.addingTimeInterval(-Double(day) * 86_400 + Double(index) * 3_000), userID: typed[(day + index) % typed.count],
                    role: "user", methodsUsed: options, detail: detail))
            }
            if day.isMultiple(of: 3) {
                try await context.store.appendRegistrationActivity(RegistrationActivity(
                    at: now.addingTimeInterval(-Double(day) * 86_400), userID: typed[day % 2], role: "user",
                    dataRegistered: [.mobilePhone, .email, .securityQuestions][day / 3 % 3]))
            }
        }
    }

    /// A random password that passes the policy: four groups of letters and digits with a symbol.
    static func password(using random: any RandomSource) -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        let groups = (0..<3).map { _ in String((0..<4).map { _ in alphabet[Int(random.uniform(below: UInt32(alphabet.count)))] }) }
        return groups.joined(separator: "-") + "-7a!Q"
    }
}
