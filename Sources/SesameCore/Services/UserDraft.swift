import Foundation

/// A user as an administrator describes them (command line, CSV row, API body), before validation.
public struct UserDraft: Sendable, Hashable {
    public var userID: String
    public var password: String?
    public var displayName: String?
    public var givenName: String?
    public var surname: String?
    public var mobilePhone: String?
    public var officePhone: String?
    public var alternateEmail: String?
    public var groups: [String]?
    public var roles: Set<Role>?
    public var enabled: Bool?

    public init(
        userID: String, password: String? = nil, displayName: String? = nil, givenName: String? = nil,
        surname: String? = nil, mobilePhone: String? = nil, officePhone: String? = nil, alternateEmail: String? = nil,
        groups: [String]? = nil, roles: Set<Role>? = nil, enabled: Bool? = nil
    ) {
        self.userID = userID
        self.password = password
        self.displayName = displayName
        self.givenName = givenName
        self.surname = surname
        self.mobilePhone = mobilePhone
        self.officePhone = officePhone
        self.alternateEmail = alternateEmail
        self.groups = groups
        self.roles = roles
        self.enabled = enabled
    }

    static let nameLength = 256
    static let maximumGroups = 100

    /// Applies the fields that are set to `user`, validating each; a refused field names itself.
    package func apply(to user: inout User, policy: Policy) throws(ValidationError) {
        if let displayName { user.displayName = try Self.text(displayName, field: "displayName") }
        if let givenName { user.givenName = try Self.text(givenName, field: "givenName") }
        if let surname { user.surname = try Self.text(surname, field: "surname") }
        if let mobilePhone { user.authentication.mobilePhone = try Self.phone(mobilePhone, field: "mobilePhone", policy: policy) }
        if let officePhone { user.authentication.officePhone = try Self.phone(officePhone, field: "officePhone", policy: policy) }
        if let alternateEmail {
            do {
                user.authentication.alternateEmail = alternateEmail.isEmpty ? nil : try EmailAddress(alternateEmail)
            } catch {
                throw error.on("alternateEmail")
            }
        }
        if let groups {
            let cleaned = groups.map { $0.trimmingWhiteSpace() }.filter { !$0.isEmpty }
            guard cleaned.count <= Self.maximumGroups else {
                throw ValidationError("field.tooMany", ["max": String(Self.maximumGroups)], field: "groups")
            }
            user.groups = Set(try cleaned.map { group throws(ValidationError) in try Self.text(group, field: "groups") })
        }
        if let roles { user.roles = roles }
        if let enabled { user.enabled = enabled }
    }

    static func text(_ value: String, field: String) throws(ValidationError) -> String {
        let trimmed = value.trimmingWhiteSpaceAndNewlines()
        guard trimmed.count <= nameLength else {
            throw ValidationError("field.tooLong", ["max": String(nameLength)], field: field)
        }
        // Bidirectional controls too: they turn a name around wherever it is shown (docs/security.md#directory-values).
        // Printable ASCII holds neither: only other text has its characters' properties looked up.
        let printableASCII = trimmed.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        guard printableASCII || !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || PrintableText.isBidirectionalControl($0) }) else {
            throw ValidationError("field.control", field: field)
        }
        return trimmed
    }

    static func phone(_ value: String, field: String, policy: Policy) throws(ValidationError) -> PhoneNumber? {
        guard !value.trimmingWhiteSpace().isEmpty else { return nil }
        do {
            return try policy.phones.phoneOnFile(value)
        } catch {
            throw error.on(field)
        }
    }
}
