import Foundation

/// A person who can sign in and recover their account (docs/behaviour.md#administration).
public struct User: Sendable, Hashable, Codable, Identifiable {
    public var id: UUID
    /// The sign-in name: a user principal name for local users, the login attribute's value for directory users.
    public var userID: String
    public var displayName: String
    public var givenName: String
    public var surname: String
    public var roles: Set<Role>
    public var groups: Set<String>
    public var enabled: Bool
    public var source: UserSource
    /// An Argon2id PHC string; `nil` for directory users and for local users who never had a password.
    public var passwordHash: String?
    public var passwordChangedAt: Date?
    /// Set when an administrator set the password: the next sign-in opens only the change of password
    /// (docs/behaviour.md#administrator-set-passwords).
    public var passwordChangeRequired: Bool
    public var lockout: SignInLockout
    public var locale: Language?
    public var authentication: AuthenticationData
    public var registration: RegistrationState
    public var createdAt: Date

    public init(
        id: UUID = .timeOrdered(),
        userID: String,
        displayName: String = "",
        givenName: String = "",
        surname: String = "",
        roles: Set<Role> = [],
        groups: Set<String> = [],
        enabled: Bool = true,
        source: UserSource = .local,
        passwordHash: String? = nil,
        passwordChangedAt: Date? = nil,
        passwordChangeRequired: Bool = false,
        lockout: SignInLockout = SignInLockout(),
        locale: Language? = nil,
        authentication: AuthenticationData = AuthenticationData(),
        registration: RegistrationState = RegistrationState(),
        createdAt: Date
    ) {
        self.id = id
        self.userID = userID
        self.displayName = displayName
        self.givenName = givenName
        self.surname = surname
        self.roles = roles
        self.groups = groups
        self.enabled = enabled
        self.source = source
        self.passwordHash = passwordHash
        self.passwordChangedAt = passwordChangedAt
        self.passwordChangeRequired = passwordChangeRequired
        self.lockout = lockout
        self.locale = locale
        self.authentication = authentication
        self.registration = registration
        self.createdAt = createdAt
    }

    /// Administrators of any kind get the fixed administrator policy.
    public var isPrivileged: Bool { !roles.isEmpty }

    /// Where notices for this person go: their alternate email, else their authentication email, else their user
    /// ID when it is an address (docs/behaviour.md#notices).
    public var noticeAddress: EmailAddress? {
        authentication.alternateEmail ?? authentication.authenticationEmail ?? (try? EmailAddress(userID))
    }

    /// Where notices about the user's own account go (a reset, few recovery codes left): every email on file, else
    /// their user ID when it is an address (docs/behaviour.md#notices).
    public var noticeAddresses: [EmailAddress] {
        let emails = Set([authentication.authenticationEmail, authentication.alternateEmail].compactMap { $0 })
        return (emails.isEmpty ? Set([noticeAddress].compactMap { $0 }) : emails).sorted()
    }

    /// The role shown in reports: the highest one, or "user".
    public var reportRole: String { roles.min()?.rawValue ?? "user" }
}
