/// How to reach the directory and find its users (`SESAME_LDAP_…`, README.md#configuration).
public struct LDAPSettings: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// OpenLDAP: RFC 3062 password modify with the ppolicy control; `pwdAccountLockedTime` locks.
        case openLDAP = "openldap"
        /// Active Directory (and Samba's AD DC): `unicodePwd` over TLS; `lockoutTime` locks.
        case activeDirectory = "ad"
    }

    /// The attributes sync reads into Sesame's pre-populated contact data.
    public struct Attributes: Sendable, Hashable {
        public var mail = "mail"
        public var mobile = "mobile"
        public var telephoneNumber = "telephoneNumber"

        public init(mail: String = "mail", mobile: String = "mobile", telephoneNumber: String = "telephoneNumber") {
            self.mail = mail
            self.mobile = mobile
            self.telephoneNumber = telephoneNumber
        }
    }

    /// `ldap://host:port` (StartTLS is then required unless `startTLS` is off) or `ldaps://host:port`.
    public var url: String
    public var kind: Kind
    /// The service account that looks users up, resets passwords and unlocks accounts.
    public var bindDN: String
    public var bindPassword: String
    /// Where users are searched (subtree).
    public var baseDN: String
    /// Which entries are users; the login attribute's value is added to it.
    public var userFilter: String
    /// The attribute whose value is the user's sign-in name in Sesame.
    public var loginAttribute: String
    public var attributes: Attributes
    /// Certificate authority for the directory's certificate, in addition to the system's.
    public var certificateAuthorityFile: String?
    /// StartTLS on an `ldap://` URL. Only a test against a loopback server should turn it off.
    public var startTLS: Bool
    /// Network and operation timeout.
    public var timeoutSeconds: Int
    /// Entries asked for at a time when listing users for sync: below Active Directory's usual MaxPageSize (1,000).
    public var pageSize = 500

    public init(
        url: String, kind: Kind = .openLDAP, bindDN: String, bindPassword: String, baseDN: String, userFilter: String? = nil,
        loginAttribute: String? = nil, attributes: Attributes = Attributes(), certificateAuthorityFile: String? = nil,
        startTLS: Bool = true, timeoutSeconds: Int = 10
    ) {
        self.url = url
        self.kind = kind
        self.bindDN = bindDN
        self.bindPassword = bindPassword
        self.baseDN = baseDN
        self.userFilter = userFilter ?? (kind == .openLDAP ? "(objectClass=inetOrgPerson)" : "(&(objectCategory=person)(objectClass=user))")
        self.loginAttribute = loginAttribute ?? (kind == .openLDAP ? "uid" : "userPrincipalName")
        self.attributes = attributes
        self.certificateAuthorityFile = certificateAuthorityFile
        self.startTLS = startTLS
        self.timeoutSeconds = timeoutSeconds
    }
}
