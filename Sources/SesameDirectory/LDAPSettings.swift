/// How to reach the directory: `SESAME_LDAP_URL` and the service account that resets passwords.
public struct LDAPSettings: Sendable, Hashable {
    /// `ldap://host:port` (StartTLS is then required unless `startTLS` is off) or `ldaps://host:port`.
    public var url: String
    public var bindDN: String
    public var bindPassword: String
    /// Certificate authority for the directory's certificate, in addition to the system's.
    public var certificateAuthorityFile: String?
    /// StartTLS on an `ldap://` URL. Only a test against a loopback server should turn it off.
    public var startTLS: Bool
    /// Network and operation timeout.
    public var timeoutSeconds: Int

    public init(url: String, bindDN: String, bindPassword: String, certificateAuthorityFile: String? = nil, startTLS: Bool = true, timeoutSeconds: Int = 10) {
        self.url = url
        self.bindDN = bindDN
        self.bindPassword = bindPassword
        self.certificateAuthorityFile = certificateAuthorityFile
        self.startTLS = startTLS
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Why the directory refused: its own password policy (ppolicy on OpenLDAP), or the connection.
public enum DirectoryError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidCredentials
    case accountLocked
    case passwordTooShort
    case passwordInHistory
    case passwordTooYoung
    case insufficientPasswordQuality
    case changeNotAllowed
    case mustSupplyOldPassword
    /// Could not connect, TLS failed, or the service account's bind was refused.
    case unavailable(String)
    /// Another refusal, with the directory's words.
    case refused(String)

    public var description: String {
        switch self {
        case .invalidCredentials: "invalid credentials"
        case .accountLocked: "the account is locked"
        case .passwordTooShort: "the password is too short for the directory's policy"
        case .passwordInHistory: "the password was used recently"
        case .passwordTooYoung: "the password was changed too recently"
        case .insufficientPasswordQuality: "the password does not meet the directory's quality rules"
        case .changeNotAllowed: "the user may not change this password"
        case .mustSupplyOldPassword: "the current password is required"
        case .unavailable(let reason): "the directory cannot be used: \(reason)"
        case .refused(let reason): "the directory refused: \(reason)"
        }
    }
}
