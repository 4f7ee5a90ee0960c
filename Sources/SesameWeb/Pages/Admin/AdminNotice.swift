/// The notices an administrator's action leads to, named by `?done=` in the redirect. Anyone can send an
/// administrator a link, so the address only selects one of these keys and never supplies text: an unknown value
/// shows no notice (docs/security.md#admin-notices).
enum AdminNotice {
    static let branding: Set<String> = ["saved", "logo", "removed"]
    static let users: Set<String> = ["saved", "reset", "unlocked", "registration", "passRevoked", "authenticator", "recoveryCodesVoided", "passkeysRemoved", "signedOut"]

    /// The catalogue key of the notice `done` names in `section` (`admin.branding`, `admin.users`), if it is known.
    static func key(_ done: String?, in section: String, known: Set<String>) -> String? {
        guard let done, known.contains(done) else { return nil }
        return "\(section).done.\(done)"
    }
}
