import Foundation

/// A local user's sign-in name, `name@domain` (docs/behaviour.md#other-limits): at most 113 characters, 64 before the
/// `@` and 48 after, from `A–Z a–z 0–9 ' . - _ ! # ^ ~`, and no `.` right before the `@`. Stored lower-cased so that
/// look-ups ignore case.
public enum UserPrincipalName {
    static let allowedLocal = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.-_!#^~")
    static let allowedDomain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")

    public static func validate(_ text: String) throws(ValidationError) -> String {
        let value = text.trimmingWhiteSpace()
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last, !local.isEmpty, !domain.isEmpty else {
            throw ValidationError("upn.format", ["value": value])
        }
        guard value.count <= 113, local.count <= 64, domain.count <= 48 else {
            throw ValidationError("upn.tooLong", ["value": value])
        }
        guard local.allSatisfy(allowedLocal.contains), domain.allSatisfy(allowedDomain.contains),
            !local.hasSuffix("."), !local.hasPrefix("."), !domain.hasPrefix("."), !domain.hasSuffix("."),
            !domain.contains("..")
        else {
            throw ValidationError("upn.characters", ["value": value])
        }
        return value.lowercased()
    }
}
