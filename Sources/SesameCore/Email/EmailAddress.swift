import Foundation

/// An email address, internationalised ones included (RFC 6531: UTF-8 in the local part and the domain,
/// e.g. `甲斐@黒川.日本`). The domain is kept in lower case and every part in Unicode NFC.
///
/// Only the dot-atom form of RFC 5322 is accepted (no quoted local parts, no address literals): mail systems that
/// users type into a reset page do not use them, and refusing them keeps the rules plain.
public struct EmailAddress: Sendable, Hashable, TextCodable, CustomStringConvertible, Comparable {
    public let value: String

    static let maximumLength = 254
    static let maximumLocalOctets = 64
    static let maximumLabelOctets = 63
    static let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~")

    public init(_ text: String) throws(ValidationError) {
        let trimmed = text.trimmingWhiteSpaceAndNewlines().precomposed
        guard trimmed.utf8.count <= Self.maximumLength else { throw ValidationError("email.tooLong") }
        guard let at = trimmed.lastIndex(of: "@") else { throw ValidationError("email.format", ["value": trimmed]) }
        let local = trimmed[..<at]
        let domain = trimmed[trimmed.index(after: at)...].lowercased()
        guard Self.isDotAtom(local, allowed: { Self.atext.contains($0) || !$0.isASCII }),
            local.utf8.count <= Self.maximumLocalOctets
        else {
            throw ValidationError("email.localPart", ["value": trimmed])
        }
        guard Self.isDomain(domain) else { throw ValidationError("email.domain", ["value": trimmed]) }
        value = "\(local)@\(domain)"
    }

    public var description: String { value }

    /// The value always holds an `@` (the initialiser checks it); the fallbacks only keep these total.
    public var localPart: Substring { value[..<(value.lastIndex(of: "@") ?? value.endIndex)] }
    public var domain: Substring { value.lastIndex(of: "@").map { value[value.index(after: $0)...] } ?? "" }

    /// `j•••••@contoso.com`: enough for the owner to recognise, too little for anyone else.
    public var masked: String {
        let first = localPart.first.map(String.init) ?? ""
        return first + String(repeating: "•", count: max(3, localPart.count - 1)) + "@" + domain
    }

    public static func < (lhs: EmailAddress, rhs: EmailAddress) -> Bool { lhs.value < rhs.value }

    public init(codableText: String) throws { self = try EmailAddress(codableText) }
    public var codableText: String { value }

    static func isDotAtom(_ text: Substring, allowed: (Character) -> Bool) -> Bool {
        let atoms = text.split(separator: ".", omittingEmptySubsequences: false)
        return !text.isEmpty && atoms.allSatisfy { !$0.isEmpty && $0.allSatisfy(allowed) }
    }

    /// Host names: two labels at least, each 1–63 octets of letters, digits, hyphens (not at either end) or
    /// non-ASCII letters (IDNA U-labels), and a top-level label that is not all digits.
    static func isDomain(_ domain: String) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let top = labels.last, !top.allSatisfy(\.isNumber) else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= maximumLabelOctets && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII ? ($0.isLetter || $0.isNumber || $0 == "-") : ($0.isLetter || $0.isNumber) }
        }
    }
}
