import Foundation
import SesameCore

/// `user show`: every attribute on its own `name: value` line, phones in E.164 (an administrator's tool, so nothing
/// is masked except the hashes, which are only said to exist). Control characters are shown escaped
/// (docs/security.md#directory-values).
struct UserSheet {
    let user: User
    let now: Date

    var text: String {
        let data = user.authentication
        let lines: [(String, String)] = [
            ("userID", user.userID),
            ("id", user.id.uuidString),
            ("displayName", user.displayName),
            ("givenName", user.givenName),
            ("surname", user.surname),
            ("roles", user.roles.sorted().map(\.rawValue).joined(separator: ",")),
            ("groups", user.groups.sorted().joined(separator: ",")),
            ("enabled", String(user.enabled)),
            ("source", user.source.rawValue),
            ("password", user.passwordHash == nil ? "not set" : "set"),
            ("passwordChangedAt", date(user.passwordChangedAt)),
            ("lockedUntil", user.lockout.isLocked(at: now) ? date(user.lockout.lockedUntil) : ""),
            ("failedSignIns", String(user.lockout.failures)),
            ("authenticationPhone", data.authenticationPhone?.e164 ?? ""),
            ("authenticationEmail", data.authenticationEmail?.value ?? ""),
            ("mobilePhone", data.mobilePhone?.e164 ?? ""),
            ("officePhone", data.officePhone?.e164 ?? ""),
            ("alternateEmail", data.alternateEmail?.value ?? ""),
            ("securityQuestions", String(data.securityAnswers.count)),
            ("authenticatorApp", data.sealedAuthenticatorSecret == nil ? "not set" : "set"),
            ("passkeys", String(data.passkeyCount)),
            ("registeredAt", date(user.registration.registeredAt)),
            ("lastConfirmedAt", date(user.registration.lastConfirmedAt)),
            ("createdAt", date(user.createdAt)),
        ]
        // Names may come from the directory or an import: a control character must not forge a line.
        return lines.map { "\($0.0): \(PrintableText.escaping($0.1))\n" }.joined()
    }

    private func date(_ date: Date?) -> String {
        date?.formatted(.iso8601) ?? ""
    }
}
