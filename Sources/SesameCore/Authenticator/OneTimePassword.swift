import Crypto
import Foundation

/// HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA1, what authenticator apps compute
/// (docs/behaviour.md#authenticator-app).
public enum OneTimePassword {
    /// The HOTP value of `counter` under `key`, `digits` long (6 to 8), zero-padded.
    public static func hotp(key: [UInt8], counter: UInt64, digits: Int) -> String {
        let message = (0..<8).reversed().map { UInt8(truncatingIfNeeded: counter >> (UInt64($0) * 8)) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        // Dynamic truncation (RFC 4226 §5.3): the low nibble of the last byte picks four of the MAC's 20 bytes.
        let offset = Int((mac.last ?? 0) & 0x0f)
        let binary = mac.dropFirst(offset).prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) } & 0x7fff_ffff
        let modulus = (0..<digits).reduce(UInt32(1)) { product, _ in product &* 10 }
        let text = String(binary % modulus)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

/// The TOTP parameters Sesame uses with every app: SHA-1, 6 digits, a 30-second step, one step either side accepted
/// for a phone's clock that drifts (docs/behaviour.md#authenticator-app).
public struct TimeBasedPassword: Sendable {
    public static let period: Int64 = 30
    public static let digits = 6
    /// Steps accepted before and after the current one.
    public static let window: Int64 = 1

    public init() {}

    /// The time step of `date`: whole periods since the Unix epoch.
    public static func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(period)).rounded(.down))
    }

    /// The code of `step` under `key`.
    public static func code(key: [UInt8], step: Int64, digits: Int = digits) -> String {
        OneTimePassword.hotp(key: key, counter: UInt64(max(step, 0)), digits: digits)
    }

    /// The step within the window around `now` whose code is `code`, else `nil`. Every step of the window is computed
    /// and compared in constant time, so that how long this takes tells nothing of which one matched.
    public static func matchingStep(of code: VerificationCode, key: [UInt8], at now: Date) -> Int64? {
        let current = step(at: now)
        var matched: Int64?
        for step in (current - window)...(current + window) {
            let expected = Self.code(key: key, step: step)
            if ConstantTime.equal(expected, code.digits), matched == nil { matched = step }
        }
        return matched
    }
}
