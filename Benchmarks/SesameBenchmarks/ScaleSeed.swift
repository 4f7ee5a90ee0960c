import Foundation
import SesameCore

/// A small, fast generator with a seed: user `n` is the same person on every run and in every store, so that SQLite
/// and PostgreSQL are measured on the same data.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `share` (0…1).
    mutating func chance(_ share: Double) -> Bool { Double.random(in: 0..<1, using: &self) < share }

    mutating func digits(_ count: Int) -> String {
        var text = ""
        for _ in 0..<count { text.unicodeScalars.append(Unicode.Scalar(UInt8(48 + Int.random(in: 0...9, using: &self)))) }
        return text
    }
}

/// One person of the scale population and the rows a year of use left behind them.
struct ScalePerson {
    var user: User
    var registrations: [RegistrationActivity] = []
    var resets: [ResetActivity] = []
    var audit: [AuditEvent] = []
}

/// The population `scripts/bench-scale` seeds: shares as an organisation of office workers would show them. Every activity row falls within the last 364 days, so the server's retention sweep (365 days by
/// default) deletes nothing while the figures are taken.
struct ScalePopulation {
    let now: Date
    static let domain = "contoso.com"
    private static let day: TimeInterval = 86_400

    /// User `index`: `first.lastINDEX@contoso.com`, unique by its index.
    func person(_ index: Int) -> ScalePerson {
        var random = SplitMix64(seed: UInt64(index) &* 0x2545_F491_4F6C_DD1D &+ 1)
        let given = Int.random(in: 0..<ScaleNames.given.count, using: &random)
        let family = Int.random(in: 0..<ScaleNames.family.count, using: &random)
        var user = User(
            userID: "\(ScaleNames.givenIDs[given]).\(ScaleNames.familyIDs[family])\(index)@\(Self.domain)",
            displayName: "\(ScaleNames.given[given]) \(ScaleNames.family[family])",
            givenName: ScaleNames.given[given], surname: ScaleNames.family[family],
            groups: [ScaleNames.departments[Int.random(in: 0..<ScaleNames.departments.count, using: &random)]],
            createdAt: now.addingTimeInterval(-Double.random(in: 400...2_000, using: &random) * Self.day))
        if random.chance(0.7) { user.authentication.mobilePhone = Self.mobile(&random) }
        if random.chance(0.6) {
            let domain = ScaleNames.personalDomains[Int.random(in: 0..<ScaleNames.personalDomains.count, using: &random)]
            user.authentication.alternateEmail = try? EmailAddress("\(ScaleNames.givenIDs[given]).\(ScaleNames.familyIDs[family])\(random.digits(2))@\(domain)")
        }
        var person = ScalePerson(user: user)
        if random.chance(0.5) { register(&person, &random) }
        if random.chance(0.3) { person.resets.append(reset(of: person.user, &random)) }
        return person
    }

    /// Registration: the last confirmation within the year (one row per method confirmed then), the first
    /// registration up to a year before it (a row of its own when it too falls within the year).
    private func register(_ person: inout ScalePerson, _ random: inout SplitMix64) {
        let confirmed = now.addingTimeInterval(-Double.random(in: 0.01..<364, using: &random) * Self.day)
        let registered = confirmed.addingTimeInterval(-Double.random(in: 0..<365, using: &random) * Self.day)
        person.user.registration = RegistrationState(registeredAt: registered, lastConfirmedAt: confirmed)
        var methods: [AuthenticationMethod] = []
        if random.chance(0.85) {
            person.user.authentication.authenticationPhone = person.user.authentication.mobilePhone ?? Self.mobile(&random)
            methods.append(.mobilePhone)
        }
        if methods.isEmpty || random.chance(0.5) {
            let domain = ScaleNames.personalDomains[Int.random(in: 0..<ScaleNames.personalDomains.count, using: &random)]
            person.user.authentication.authenticationEmail = try? EmailAddress("\(person.user.userID.prefix { $0 != "@" }).\(random.digits(3))@\(domain)")
            methods.append(.email)
        }
        let userID = person.user.userID
        person.registrations = methods.map { RegistrationActivity(at: confirmed, userID: userID, role: "user", dataRegistered: $0) }
        if now.timeIntervalSince(registered) < 364 * Self.day, let first = methods.first {
            person.registrations.append(RegistrationActivity(at: registered, userID: userID, role: "user", dataRegistered: first))
        }
        person.audit.append(AuditEvent(at: confirmed, activity: .registered, actor: userID, target: userID, requestID: random.digits(12)))
    }

    /// A reset within the year, ending as resets end: most succeed, some are abandoned after the user ID, blocked by
    /// wrong codes or cancelled; a user with nothing to verify with fails.
    private func reset(of user: User, _ random: inout SplitMix64) -> ResetActivity {
        let at = now.addingTimeInterval(-Double.random(in: 0.01..<364, using: &random) * Self.day)
        let phone = user.authentication.resetMobilePhone != nil
        let email = user.authentication.resetEmail != nil
        let option: VerificationOption = phone && (!email || random.chance(0.7)) ? .mobileSMS : .email
        let (detail, methods): (ResetDetail, [VerificationOption]) =
            if !phone && !email { (.insufficientMethods, []) } else {
                switch Int.random(in: 0..<100, using: &random) {
                case 0..<74: (.succeeded, [option])
                case 74..<84: (.abandonedAfterUserID, [])
                case 84..<89: (.abandonedAfterStartingOption(option), [option])
                case 89..<92: (.blockedInvalidCodes(option), [option])
                case 92..<95: (.cancelledBeforeMethods, [])
                case 95..<97: (.contactedAdminBeforeOption, [])
                case 97..<98: (.abandonedBeforeNewPassword, [option])
                default: (.unlocked, [option])
                }
            }
        return ResetActivity(at: at, userID: user.userID, role: "user", methodsUsed: methods, detail: detail, requestID: random.digits(12))
    }

    /// A mobile number in France (+33 6/7), the United Kingdom (+44 7) or the United States, as people type them.
    static func mobile(_ random: inout SplitMix64) -> PhoneNumber? {
        let text: String
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<55: text = "+33 \(random.chance(0.8) ? "6 1" : "7 5")\(random.digits(1)) \(random.digits(2)) \(random.digits(2)) \(random.digits(2))"
        case 55..<80: text = "+44 71\(random.digits(2)) \(random.digits(6))"
        default: text = "+1 \(["212", "415", "646", "312", "617"][Int.random(in: 0..<5, using: &random)]) \(Int.random(in: 200...999, using: &random)) \(random.digits(4))"
        }
        return try? PhoneNumber(international: text)
    }

    /// The few accounts the figures sign in with, all registered so that no interrupt stands in the way: a global
    /// administrator (two methods, as the administrators' policy wants), a helpdesk and a user administrator, and one
    /// ordinary user.
    func accounts(adminID: String, userID: String, passwordHash: String) -> [User] {
        let confirmed = now.addingTimeInterval(-Self.day)
        func account(_ id: String, _ name: String, _ roles: Set<Role>, hash: String?) -> User {
            var user = User(
                userID: id, displayName: name, roles: roles, passwordHash: hash, passwordChangedAt: hash == nil ? nil : now,
                createdAt: now.addingTimeInterval(-400 * Self.day))
            user.authentication.authenticationPhone = try? PhoneNumber(international: "+33 6 12 34 56 78")
            user.authentication.authenticationEmail = try? EmailAddress("\(id.prefix { $0 != "@" })@fabrikam.example")
            user.registration = RegistrationState(registeredAt: confirmed, lastConfirmedAt: confirmed)
            return user
        }
        return [
            account(adminID, "Scale Admin", [.globalAdmin], hash: passwordHash),
            account("helpdesk@\(Self.domain)", "Helpdesk", [.helpdeskAdmin], hash: nil),
            account("useradmin@\(Self.domain)", "User Admin", [.userAdmin], hash: nil),
            account(userID, "Known User", [], hash: passwordHash),
        ]
    }
}
