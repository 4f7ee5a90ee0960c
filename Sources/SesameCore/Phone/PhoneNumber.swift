import Foundation

/// A telephone number in E.164 form, validated against its country's numbering plan (docs/behaviour.md#other-limits).
///
/// Input may carry spaces, dashes, dots, brackets, a national trunk prefix and an extension: the extension is
/// stripped (extensions are not supported, so they are removed before dialling) and the rest normalised.
public struct PhoneNumber: Sendable, Hashable, TextCodable, CustomStringConvertible, Comparable {
    public let callingCode: Int
    /// The national significant number: digits only, no trunk prefix.
    public let nationalNumber: String

    /// E.164 allows 15 digits in all.
    static let maximumDigits = 15
    static let separators = Set(" -.()/\u{00A0}\t")
    /// The ASCII separators and the plus, as bytes.
    static let plainBytes = Set(" -.()/\t+".utf8)

    /// Parses a calling code and a national number as typed, e.g. `33` and `06 12 34 56 78`.
    public init(callingCode: Int, number: String) throws(ValidationError) {
        guard let plans = NumberingPlan.byCallingCode[callingCode] else {
            throw ValidationError("phone.unknownCountryCode", ["code": String(callingCode)])
        }
        var digits = try Self.digits(of: Self.strippingExtension(number))
        if digits.hasPrefix("+") || digits.hasPrefix("00") {
            // The user also typed the international form: it must agree with the calling code chosen.
            let international = try Self(international: number)
            guard international.callingCode == callingCode else {
                throw ValidationError("phone.countryMismatch", ["code": String(callingCode)])
            }
            self = international
            return
        }
        digits = Self.removingTrunkPrefix(digits, plans: plans)
        try Self.check(digits, callingCode: callingCode, plans: plans)
        self.callingCode = callingCode
        self.nationalNumber = digits
    }

    /// Parses an international number: `+33 6 12 34 56 78`, `0033612345678`, or E.164 `+33612345678`.
    public init(international text: String) throws(ValidationError) {
        var digits = try Self.digits(of: Self.strippingExtension(text))
        if digits.hasPrefix("+") {
            digits.removeFirst()
        } else if digits.hasPrefix("00") {
            digits.removeFirst(2)
        } else {
            throw ValidationError("phone.needsCountryCode", ["value": text])
        }
        // ITU calling codes are prefix-free, so at most one of the 1-, 2- and 3-digit prefixes is a code.
        for length in 1...3 where digits.count > length {
            if let code = Int(digits.prefix(length)), let plans = NumberingPlan.byCallingCode[code] {
                let national = Self.removingTrunkPrefix(String(digits.dropFirst(length)), plans: plans)
                try Self.check(national, callingCode: code, plans: plans)
                self.callingCode = code
                self.nationalNumber = national
                return
            }
        }
        throw ValidationError("phone.unknownCountryCode", ["code": String(digits.prefix(3))])
    }

    /// `+33612345678`
    public var e164: String { "+\(callingCode)\(nationalNumber)" }

    /// The written form, a space after the calling code: `+33 612345678`.
    public var description: String { "+\(callingCode) \(nationalNumber)" }

    /// For display where only the owner should recognise it: `+33 6•• •• •• 78`.
    public var masked: String {
        let digits = Array(nationalNumber)
        let shown = digits.enumerated().map { index, digit in
            (index == 0 && digits.count > 4) || index >= digits.count - 2 ? digit : "•"
        }
        return "+\(callingCode) " + Self.grouped(shown).joined(separator: " ")
    }

    public static func < (lhs: PhoneNumber, rhs: PhoneNumber) -> Bool { lhs.e164 < rhs.e164 }

    // MARK: Stored as the E.164 string

    public init(codableText: String) throws { self = try PhoneNumber(international: codableText) }
    public var codableText: String { e164 }

    // MARK: Parsing steps

    /// Cuts an extension off: `x1234`, `X12345`, `ext. 12`, `extension 12`, `#12`, `;ext=12`.
    static func strippingExtension(_ text: String) -> String {
        // Digits, separators and a plus, as most numbers are written, hold no marker: nothing to look for.
        guard text.utf8.contains(where: { !(0x30...0x39).contains($0) && !Self.plainBytes.contains($0) }) else { return text }
        let lower = text.lowercased()
        let markers = [";ext=", "extension", "ext.", "ext", "x", "#"]
        var cut = lower.endIndex
        for marker in markers {
            if let range = lower.range(of: marker), range.lowerBound < cut { cut = range.lowerBound }
        }
        let offset = lower.distance(from: lower.startIndex, to: cut)
        return String(text.prefix(offset))
    }

    /// Keeps the digits (and a leading `+`), refusing letters and other symbols.
    static func digits(of text: String) throws(ValidationError) -> String {
        var result = ""
        for (index, character) in text.trimmingWhiteSpace().enumerated() {
            if character.isASCII, character.isNumber {
                result.append(character)
            } else if character == "+", index == 0 {
                result.append(character)
            } else if !separators.contains(character) {
                throw ValidationError("phone.characters", ["value": text])
            }
        }
        guard result.contains(where: \.isNumber) else { throw ValidationError("phone.empty") }
        return result
    }

    static func removingTrunkPrefix(_ digits: String, plans: [NumberingPlan]) -> String {
        for plan in plans where !plan.nationalPrefix.isEmpty && digits.hasPrefix(plan.nationalPrefix) {
            let stripped = String(digits.dropFirst(plan.nationalPrefix.count))
            if plans.contains(where: { $0.matches(stripped) }) { return stripped }
        }
        return digits
    }

    static func check(_ national: String, callingCode: Int, plans: [NumberingPlan]) throws(ValidationError) {
        let lengths = plans.flatMap(\.possibleLengths)
        // One country is named in the reader's language; a code shared by several (+1, +7) is shown as the code.
        let (arguments, nested): ([String: String], [String: String]) =
            if plans.count == 1, let plan = plans.first { (["code": String(callingCode)], ["country": plan.nameKey]) }
            else { (["code": String(callingCode), "country": "+\(callingCode)"], [:]) }
        if String(callingCode).count + national.count > maximumDigits || national.count > (lengths.max() ?? 0) {
            throw ValidationError("phone.tooLong", arguments, nested: nested)
        }
        if national.count < (lengths.min() ?? 0) {
            throw ValidationError("phone.tooShort", arguments, nested: nested)
        }
        guard plans.contains(where: { $0.matches(national) }) else {
            throw ValidationError("phone.invalidForCountry", arguments, nested: nested)
        }
    }

    /// Pairs from the end; a lone leading digit joins the next pair.
    static func grouped(_ characters: [Character]) -> [String] {
        var groups: [String] = []
        var end = characters.count
        while end > 0 {
            let start = max(0, end - 2)
            groups.insert(String(characters[start..<end]), at: 0)
            end = start
        }
        if groups.count > 1, let lone = groups.first, lone.count == 1 {
            groups.removeFirst()
            groups[0] = lone + groups[0]  // trap-safe: two groups or more were there, one is left
        }
        return groups
    }
}
