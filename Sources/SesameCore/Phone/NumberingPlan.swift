import Synchronization

/// One region's telephone numbering plan, from libphonenumber's metadata (see `NumberingPlans+Data.swift`).
public struct NumberingPlan: Sendable, Hashable {
    /// ISO 3166 region code, or "001" for a non-geographic service such as +800.
    public let region: String
    public let callingCode: Int
    /// The trunk prefix dialled inside the country (the `0` of `06 12 34 56 78`), or empty.
    public let nationalPrefix: String
    /// The lengths a national significant number can have.
    public let possibleLengths: [Int]
    /// A regular expression every valid national significant number matches in whole (leading digits included).
    public let pattern: String
    /// The mobile numbers' pattern, empty when the plan lists none. Where it is also the fixed-line pattern (+1), a
    /// number is both.
    public let mobilePattern: String
    public let fixedLinePattern: String
    public let exampleNumber: String
    public let mobileExample: String
    /// The region's name in English, for logs.
    public let englishName: String

    /// The catalogue key of the region's name (`Localization/Countries/TAG.json`, from CLDR, written by
    /// scripts/data/generate.py).
    public var nameKey: String { "country.\(region)" }

    /// The region's name in a language.
    public func name(in language: Language) -> String {
        Catalogue.core.table(language)[nameKey] ?? englishName
    }

    /// The plans sharing each calling code (+1 and +7 cover several regions).
    public static let byCallingCode: [Int: [NumberingPlan]] = Dictionary(grouping: all, by: \.callingCode)

    /// The region code libphonenumber gives non-geographic services.
    static let nonGeographicRegion = "001"

    /// Geographic regions, for a country selector.
    public static let regions: [NumberingPlan] = all.filter { $0.region != nonGeographicRegion }

    func matches(_ nationalNumber: String) -> Bool {
        possibleLengths.contains(nationalNumber.count) && wholeMatch(.number, nationalNumber)
    }

    /// Whether the plan lists the number as a mobile; premium-rate, shared-cost, VoIP and the other types are neither
    /// mobile nor fixed-line.
    func listsAsMobile(_ nationalNumber: String) -> Bool {
        matches(nationalNumber) && wholeMatch(.mobile, nationalNumber)
    }

    func listsAsFixedLine(_ nationalNumber: String) -> Bool {
        matches(nationalNumber) && wholeMatch(.fixedLine, nationalNumber)
    }

    /// Which of a plan's patterns.
    private enum Kind: Hashable {
        case number, mobile, fixedLine
    }

    /// A compiled pattern's key: a few bytes to hash, where a pattern is up to a thousand (+1's).
    private struct PatternKey: Hashable {
        let callingCode: Int
        let region: String
        let kind: Kind
    }

    private func wholeMatch(_ kind: Kind, _ text: String) -> Bool {
        let key = PatternKey(callingCode: callingCode, region: region, kind: kind)
        return Self.compiled(key, from: pattern(kind))?.matchesWhole(text) ?? false
    }

    private func pattern(_ kind: Kind) -> String {
        switch kind {
        case .number: pattern
        case .mobile: mobilePattern
        case .fixedLine: fixedLinePattern
        }
    }

    /// Each pattern, compiled the first time a number is checked against it (a few microseconds) and kept. All of
    /// them compiled hold about 1.9 MiB, where a server whose users have the numbers of a few countries needs a few;
    /// numbers from everywhere compile them all, and no more (docs/scale.md#phone-patterns). A pattern
    /// ``PhonePattern`` cannot read (the tests check there is none) is kept as `nil` and matches nothing, as does an
    /// empty one.
    private static let compiledPatterns = Mutex<[PatternKey: PhonePattern?]>([:])

    private static func compiled(_ key: PatternKey, from pattern: String) -> PhonePattern? {
        guard !pattern.isEmpty else { return nil }
        return compiledPatterns.withLock { compiled in
            if let known = compiled[key] { return known }
            let fresh = PhonePattern(pattern)
            compiled.updateValue(fresh, forKey: key)
            return fresh
        }
    }
}
