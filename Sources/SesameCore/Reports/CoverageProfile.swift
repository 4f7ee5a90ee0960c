import Foundation

/// What the coverage chart needs to know of one user, as a short key the stores keep in an indexed column
/// (docs/scale.md#reports): the chart counts users per key in the database and weighs each key once, instead of
/// reading every user. Phones keep their calling code and whether they are personal numbers, since the policy's
/// allowed countries may change after the key was written.
public struct CoverageProfile: Sendable, Hashable {
    public struct Phone: Sendable, Hashable {
        public let callingCode: Int
        /// A mobile or fixed line: a number the phone rule may call.
        public let personal: Bool
    }

    public let registered: Bool
    public let email: Bool
    /// Security answers on file, at most 9 (no policy asks for more).
    public let answers: Int
    public let authenticator: Bool
    public let resetPhone: Phone?
    public let officePhone: Phone?

    public init(_ user: User) {
        let data = user.authentication
        registered = user.registration.isRegistered
        email = data.resetEmail != nil
        answers = min(data.securityAnswers.count, 9)
        authenticator = data.sealedAuthenticatorSecret != nil
        resetPhone = data.resetMobilePhone.map(Self.phone)
        officePhone = data.officePhone.map(Self.phone)
    }

    private static func phone(_ number: PhoneNumber) -> Phone {
        Phone(callingCode: number.callingCode, personal: !number.isNonGeographic && (number.isMobile || number.isFixedLine))
    }

    /// "r1e0q3a1|p33y|o-": flags, then each phone as its calling code and y (personal) or n, or "-" for none.
    public var key: String {
        func flag(_ value: Bool) -> String { value ? "1" : "0" }
        func phone(_ phone: Phone?) -> String { phone.map { "\($0.callingCode)\($0.personal ? "y" : "n")" } ?? "-" }
        return "r\(flag(registered))e\(flag(email))q\(answers)a\(flag(authenticator))|p\(phone(resetPhone))|o\(phone(officePhone))"
    }

    /// `nil` for a key ``key`` did not write.
    public init?(key: String) {
        let parts = key.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 3, let flagText = parts.first, let resetText = parts.dropFirst().first, let officeText = parts.last,
              resetText.first == "p", officeText.first == "o"
        else { return nil }
        // Four letters, each followed by its value.
        var flags: [Character: Character] = [:]
        var characters = flagText.makeIterator()
        while let name = characters.next(), let value = characters.next() { flags[name] = value }
        guard flagText.count == 8, let registered = flags["r"], let email = flags["e"], let answers = flags["q"]?.wholeNumberValue,
              let authenticator = flags["a"]
        else { return nil }
        func phone(_ text: Substring) -> Phone?? {
            if text == "-" { return .some(nil) }
            guard let last = text.last, last == "y" || last == "n", let code = Int(text.dropLast()), (1...999).contains(code) else { return nil }
            return .some(Phone(callingCode: code, personal: last == "y"))
        }
        guard let reset = phone(resetText.dropFirst()), let office = phone(officeText.dropFirst()) else { return nil }
        self.registered = registered == "1"
        self.email = email == "1"
        self.answers = answers
        self.authenticator = authenticator == "1"
        resetPhone = reset
        officePhone = office
    }

    /// Whether the phone rule lets this phone serve a reset (``PhoneRule/permitsSomeChannel(_:)`` on what is kept).
    static func permits(_ phone: Phone?, _ rule: PhoneRule) -> Bool {
        guard let phone, phone.personal else { return false }
        return rule.allowedCountryCodes?.contains(phone.callingCode) ?? true
    }
}

/// The database's answer to the coverage chart: users per ``CoverageProfile`` key, and how many users hold
/// recovery codes and passkeys (counted in their own tables).
public struct CoverageCounts: Sendable, Hashable {
    public let usersByProfile: [String: Int]
    public let withRecoveryCodes: Int
    public let withPasskeys: Int

    public init(usersByProfile: [String: Int], withRecoveryCodes: Int, withPasskeys: Int) {
        self.usersByProfile = usersByProfile
        self.withRecoveryCodes = withRecoveryCodes
        self.withPasskeys = withPasskeys
    }
}
