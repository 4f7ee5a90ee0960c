/// Why the directory refused, named after Entra's writeback errors (33001–33009) so that the audit log reads like the
/// writeback event log, and shown to people through the catalogue (docs/behaviour.md#password-writeback).
public enum WritebackError: Error, Sendable, Hashable, CustomStringConvertible {
    case userNotFound
    case multipleMatches
    /// The current password given for a change, or at sign-in, is wrong.
    case incorrectPassword
    case accountLocked
    case accountDisabled
    case passwordTooShort
    case passwordInHistory
    case passwordTooYoung
    /// Complexity or another rule of the directory's policy; `reason` is the directory's own words, for the log.
    case passwordPolicy(reason: String)
    /// The user may not change their own password.
    case changeNotAllowed
    /// The password is right, but the directory wants it changed before anything else (Active Directory's bind
    /// "data 773" after `pwdLastSet=0`): sign-in takes it as proved and asks for a new one.
    case passwordMustChange
    /// The service account lacks a right (reset password, write the lockout attribute).
    case permissions(reason: String)
    /// Could not connect, TLS failed, the service account's bind was refused, or no directory is configured.
    case unavailable(reason: String)
    /// Anything else, with the directory's words.
    case unknown(reason: String)

    /// The name recorded as the audit event's failure reason.
    public var eventName: String {
        switch self {
        case .unknown: "ADUnknownError (33001)"
        case .userNotFound: "ADUserNotFound (33002)"
        case .multipleMatches: "ADMultiMatch (33003)"
        case .permissions, .changeNotAllowed: "ADPermissions (33004)"
        case .accountDisabled: "ADAccountDisabled (33005)"
        case .accountLocked: "ADAccountLockedOut (33006)"
        case .incorrectPassword: "ADUserIncorrectPassword (33007)"
        case .passwordMustChange: "ADUserMustChangePassword"
        case .passwordTooShort, .passwordInHistory, .passwordTooYoung, .passwordPolicy: "ADPasswordPolicy (33008)"
        case .unavailable: "OnPremisesConnectivityError (SSPR_0030)"
        }
    }

    /// What the person is told.
    public var message: LocalizedText {
        switch self {
        case .userNotFound, .multipleMatches, .permissions: LocalizedText("directory.adminActionRequired")
        case .incorrectPassword: LocalizedText("directory.incorrectPassword")
        case .accountLocked: LocalizedText("directory.accountLocked")
        case .accountDisabled: LocalizedText("directory.accountDisabled")
        case .passwordTooShort: LocalizedText("directory.passwordTooShort")
        case .passwordInHistory: LocalizedText("directory.passwordInHistory")
        case .passwordTooYoung: LocalizedText("directory.passwordTooYoung")
        case .passwordPolicy: LocalizedText("directory.passwordPolicy")
        case .changeNotAllowed: LocalizedText("directory.changeNotAllowed")
        case .passwordMustChange: LocalizedText("directory.passwordMustChange")
        case .unavailable: LocalizedText("directory.unavailable")
        case .unknown: LocalizedText("directory.unknown")
        }
    }

    /// Whether another password might be accepted: the person may try again on the same page.
    public var isPasswordRefusal: Bool {
        switch self {
        case .passwordTooShort, .passwordInHistory, .passwordTooYoung, .passwordPolicy: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .userNotFound: "no directory entry for this user"
        case .multipleMatches: "several directory entries match this user"
        case .incorrectPassword: "invalid credentials"
        case .accountLocked: "the account is locked in the directory"
        case .accountDisabled: "the account is disabled in the directory"
        case .passwordTooShort: "the password is too short for the directory's policy"
        case .passwordInHistory: "the password was used recently"
        case .passwordTooYoung: "the password was changed too recently"
        case .passwordPolicy(let reason): "the directory's password policy refused it: \(reason)"
        case .changeNotAllowed: "the user may not change this password"
        case .passwordMustChange: "the directory requires a new password before the account is used"
        case .permissions(let reason): "the service account lacks a right: \(reason)"
        case .unavailable(let reason): "the directory cannot be used: \(reason)"
        case .unknown(let reason): "the directory refused: \(reason)"
        }
    }
}
