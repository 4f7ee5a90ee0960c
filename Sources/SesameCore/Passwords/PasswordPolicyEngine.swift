/// The personal facts a password must not lean on: the user's names and the organisation's
/// (docs/behaviour.md#passwords).
public struct PasswordContext: Sendable, Hashable {
    public var givenName: String
    public var surname: String
    public var organisationName: String

    public init(givenName: String = "", surname: String = "", organisationName: String = "") {
        self.givenName = givenName
        self.surname = surname
        self.organisationName = organisationName
    }

    /// Names as banned terms: each word of 4 characters or more, and each name with its spaces removed.
    var terms: Set<[UInt8]> {
        var terms: Set<[UInt8]> = []
        for name in [givenName, surname, organisationName] {
            let words = name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            for word in words + [words.joined()] {
                let normalized = PasswordNormalizer.normalize(word)
                if normalized.count >= BannedTermIndex.minimumLength { terms.insert(normalized) }
            }
        }
        return terms
    }
}

/// Checks a new password against the shape rules and the banned-password algorithm (docs/behaviour.md#passwords).
///
/// Banned-password scoring: the password is normalised, then split into stretches so that the score is as low as
/// possible, where a stretch that is a banned term (within edit distance 1 for the lists; exactly, for the names) is
/// worth 1 point and any other character 1 point each. An inserted character is not part of the term, so such a
/// match is worth 2. The password passes with a score of 5 or more: "C0ntos0Blank12" scores 4 and fails,
/// "ContoS0Bl@nkf9!" scores 5 and passes (with "Contoso" the organisation and "blank" a custom term).
public struct PasswordPolicyEngine: Sendable {
    public let rules: PasswordRules
    private let global: BannedTermIndex
    private let custom: BannedTermIndex
    private let breached: BreachedPasswordFilter

    public init(
        rules: PasswordRules = .default, customBannedTerms: [String] = [], global: BannedTermIndex = .common,
        breached: BreachedPasswordFilter = .shared
    ) {
        self.rules = rules
        self.global = global
        self.custom = BannedTermIndex(customBannedTerms)
        self.breached = breached
    }

    public init(policy: Policy) {
        self.init(rules: policy.passwordRules.rules, customBannedTerms: policy.customBannedPasswords)
    }

    /// Every rule the password breaks; empty when it is acceptable. Under the Unicode rules the password is
    /// checked as ``PasswordRules/prepared(_:)`` makes it, which is also what the caller must hash and write back.
    public func check(_ password: String, context: PasswordContext) -> [PasswordRejection] {
        let typed = password
        let password = rules.prepared(password)
        var rejections: [PasswordRejection] = []
        // The minimum counts what was typed: NFKC can turn one character into eighteen (U+FDFA).
        if min(typed.count, password.count) < rules.minimumLength { rejections.append(.tooShort) }
        // The banned-password check grows faster than the length: one 16 KB password took seconds of a core, so
        // a password already too long gets no further check (found by fuzzing, docs/security.md#fuzzing).
        guard password.count <= rules.maximumLength else { return rejections + [.tooLong] }
        // Printable ASCII, space included; other characters cannot be typed everywhere a password is needed.
        guard rules.unicode || password.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) else {
            return rejections + [.invalidCharacters]
        }
        if characterClasses(password) < rules.requiredClasses { rejections.append(.notEnoughCharacterClasses) }
        // Exact breached passwords first: the fuzzy check below only knows the 10 000 most common
        // (docs/security.md#breached-passwords).
        if breached.contains(password) { rejections.append(.breachedPassword) }
        if let banned = bannedReason(password, context: context) { rejections.append(banned) }
        return rejections
    }

    /// As ``check(_:context:)``, and on a change the new password may not be the current one
    /// (docs/behaviour.md#change-password).
    public func checkChange(
        _ password: String, context: PasswordContext, currentHash: String?, hasher: any PasswordHasher
    ) async -> [PasswordRejection] {
        var rejections = check(password, context: context)
        if let currentHash, await hasher.verify(rules.prepared(password), against: currentHash) { rejections.append(.sameAsCurrent) }
        return rejections
    }

    /// The banned-password score (higher is stronger; 5 passes).
    public func score(_ password: String, context: PasswordContext) -> Int {
        cover(PasswordNormalizer.normalize(String(password.prefix(rules.maximumLength))), names: context.terms).score
    }

    func characterClasses(_ password: String) -> Int {
        let scalars = password.unicodeScalars
        return [
            scalars.contains { ("a"..."z").contains($0) },
            scalars.contains { ("A"..."Z").contains($0) },
            scalars.contains { ("0"..."9").contains($0) },
            scalars.contains { !("a"..."z").contains($0) && !("A"..."Z").contains($0) && !("0"..."9").contains($0) },
        ].filter { $0 }.count
    }

    private func bannedReason(_ password: String, context: PasswordContext) -> PasswordRejection? {
        let normalized = PasswordNormalizer.normalize(password)
        if global.match(normalized[...]) != nil { return .commonPassword }
        if custom.match(normalized[...]) != nil { return .blockedByAdministrator }
        let result = cover(normalized, names: context.terms)
        guard result.score < rules.minimumScore else { return nil }
        return result.usesCustomTerm ? .blockedByAdministrator : .easilyGuessable
    }

    /// The cheapest split of the normalised password into banned terms and single characters.
    private func cover(_ password: [UInt8], names: Set<[UInt8]>) -> (score: Int, usesCustomTerm: Bool) {
        let longest = max(global.longestTerm, custom.longestTerm, names.map(\.count).max() ?? 0) + 1
        let nameLengths = Set(names.map(\.count))
        var best = [(score: 0, usesCustomTerm: false)]
        guard !password.isEmpty else { return (score: 0, usesCustomTerm: false) }
        for end in 1...password.count {
            var here = (score: best[end - 1].score + 1, usesCustomTerm: best[end - 1].usesCustomTerm)
            let first = max(0, end - longest)
            for start in stride(from: first, through: end - BannedTermIndex.minimumLength, by: 1) {
                let stretch = password[start..<end]
                let cost: (points: Int, custom: Bool)?
                if nameLengths.contains(stretch.count), names.contains(Array(stretch)) {
                    cost = (1, false)
                } else if let edit = custom.match(stretch) {
                    cost = (edit == .insertion ? 2 : 1, true)
                } else if let edit = global.match(stretch) {
                    cost = (edit == .insertion ? 2 : 1, false)
                } else {
                    cost = nil
                }
                if let cost, best[start].score + cost.points < here.score {
                    here = (best[start].score + cost.points, best[start].usesCustomTerm || cost.custom)
                }
            }
            best.append(here)
        }
        return best[password.count]
    }
}
