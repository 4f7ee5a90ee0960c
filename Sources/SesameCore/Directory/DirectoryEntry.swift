/// A user as the directory describes them, for sync: the sign-in name and the attributes Sesame pre-populates.
public struct DirectoryEntry: Sendable, Hashable {
    public var userID: String
    public var displayName: String
    public var givenName: String
    public var surname: String
    /// Raw attribute values; sync validates them and reports those it cannot use.
    public var mail: String?
    public var mobile: String?
    public var telephoneNumber: String?
    public var enabled: Bool

    public init(
        userID: String, displayName: String = "", givenName: String = "", surname: String = "", mail: String? = nil,
        mobile: String? = nil, telephoneNumber: String? = nil, enabled: Bool = true
    ) {
        self.userID = userID
        self.displayName = displayName
        self.givenName = givenName
        self.surname = surname
        self.mail = mail
        self.mobile = mobile
        self.telephoneNumber = telephoneNumber
        self.enabled = enabled
    }
}
