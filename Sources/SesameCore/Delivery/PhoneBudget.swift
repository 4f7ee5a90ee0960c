import Foundation

/// How many texts and calls Sesame places in a day, overall and to chosen countries (`SESAME_PHONE_DAILY_LIMIT`,
/// docs/security.md#phone-budget): the ceiling on what toll fraud can cost when every per-user and per-number limit
/// is dodged by spreading requests over many accounts and numbers.
public struct PhoneBudget: Sendable, Hashable {
    /// Texts and calls a day, every country together.
    public var daily: Int
    /// Texts and calls a day to one country calling code (`+234=20`); a country not listed is bounded by `daily` alone.
    public var byCallingCode: [Int: Int]

    public static let standard = PhoneBudget(daily: 1_000)

    /// Above this a budget stops nothing.
    static let largest = 10_000_000

    public init(daily: Int, byCallingCode: [Int: Int] = [:]) {
        self.daily = daily
        self.byCallingCode = byCallingCode
    }

    /// Reads `1000` or `1000,+234=20,+44=200`: the overall budget, then a budget for each listed calling code.
    /// `nil` for anything else, a calling code no numbering plan knows included.
    public init?(_ text: String) {
        var parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhiteSpace() }
        guard !parts.isEmpty, let daily = Self.limit(parts.removeFirst()) else { return nil }
        var byCallingCode: [Int: Int] = [:]
        for part in parts {
            let pair = part.split(separator: "=", omittingEmptySubsequences: false).map { $0.trimmingWhiteSpace() }
            guard pair.count == 2, let country = pair.first, let figure = pair.last, country.first == "+", let code = Int(country.dropFirst()),
                NumberingPlan.byCallingCode[code] != nil, byCallingCode[code] == nil, let limit = Self.limit(figure)
            else { return nil }
            byCallingCode[code] = limit
        }
        self.init(daily: daily, byCallingCode: byCallingCode)
    }

    private static func limit(_ text: String) -> Int? {
        guard text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), text.count <= 8, let value = Int(text),
            value <= largest
        else { return nil }
        return value
    }
}
