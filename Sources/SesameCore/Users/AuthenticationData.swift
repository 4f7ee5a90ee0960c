import Foundation

/// What a user can be verified with (docs/behaviour.md#gates).
///
/// The authentication phone and email are set by the user at registration (verified); the mobile phone, office phone
/// and alternate email are set by administrators or a directory sync (pre-populated). Reset uses the authentication
/// value first and falls back to the administrator's. The authenticator app's key is registered by the user only.
public struct AuthenticationData: Sendable, Hashable, Codable {
    public var authenticationPhone: PhoneNumber?
    public var authenticationEmail: EmailAddress?
    public var mobilePhone: PhoneNumber?
    public var officePhone: PhoneNumber?
    public var alternateEmail: EmailAddress?
    public var securityAnswers: [SecurityAnswer]
    /// The authenticator app's key, sealed for this user's record (``AuthenticatorKeys``); never in the clear.
    public var sealedAuthenticatorSecret: Data?
    /// How many unused recovery codes the user has. Read from the store with the user; saving a user never writes
    /// it, since codes change only through the store's recovery-code operations (docs/security.md#recovery-codes).
    public var recoveryCodesLeft: Int
    /// How many passkeys the user registered; read with the user and never written by saving one, like
    /// ``recoveryCodesLeft`` (docs/security.md#passkeys).
    public var passkeyCount: Int

    public init(
        authenticationPhone: PhoneNumber? = nil,
        authenticationEmail: EmailAddress? = nil,
        mobilePhone: PhoneNumber? = nil,
        officePhone: PhoneNumber? = nil,
        alternateEmail: EmailAddress? = nil,
        securityAnswers: [SecurityAnswer] = [],
        sealedAuthenticatorSecret: Data? = nil,
        recoveryCodesLeft: Int = 0,
        passkeyCount: Int = 0
    ) {
        self.authenticationPhone = authenticationPhone
        self.authenticationEmail = authenticationEmail
        self.mobilePhone = mobilePhone
        self.officePhone = officePhone
        self.alternateEmail = alternateEmail
        self.securityAnswers = securityAnswers
        self.sealedAuthenticatorSecret = sealedAuthenticatorSecret
        self.recoveryCodesLeft = recoveryCodesLeft
        self.passkeyCount = passkeyCount
    }

    /// The phone that SMS and mobile calls go to: the authentication phone, else the mobile phone.
    public var resetMobilePhone: PhoneNumber? { authenticationPhone ?? mobilePhone }

    /// The address email codes go to: the authentication email, else the alternate email.
    public var resetEmail: EmailAddress? { authenticationEmail ?? alternateEmail }

    /// Only what the user verified by code at registration (the authentication phone and email): what a reset may use
    /// when `prepopulatedForReset` is off. The other contact fields are written by administrators, imports and the
    /// directory, so nothing proves they belong to the user (docs/security.md#pre-populated-contact-data).
    public var verifiedOnly: AuthenticationData {
        var data = self
        data.mobilePhone = nil
        data.officePhone = nil
        data.alternateEmail = nil
        return data
    }

    /// The methods this data can serve, among those offered: a phone only when `phones` lets it be texted or called.
    public func usableMethods(among offered: Set<AuthenticationMethod>, questionsToReset: Int, phones: PhoneRule) -> Set<AuthenticationMethod> {
        offered.filter { method in
            switch method {
            case .mobilePhone: resetMobilePhone.map(phones.permitsSomeChannel) ?? false
            case .officePhone: officePhone.map(phones.permitsSomeChannel) ?? false
            case .email: resetEmail != nil
            case .securityQuestions: securityAnswers.count >= questionsToReset
            case .authenticatorApp: sealedAuthenticatorSecret != nil
            case .recoveryCodes: recoveryCodesLeft > 0
            case .passkey: passkeyCount > 0
            }
        }
    }
}
