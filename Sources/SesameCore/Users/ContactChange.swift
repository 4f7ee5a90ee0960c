/// The contact fields a user or an administrator can change.
public enum ContactField: String, Sendable, CaseIterable {
    case authenticationPhone, authenticationEmail, mobilePhone, officePhone, alternateEmail
}

/// What changed in a user's contact data, and who must hear of it: an email field's old address is told its
/// address was replaced; a phone change is told to the addresses on file before the change (a reset notice's logic,
/// applied to the data that resets rely on; docs/behaviour.md#notices).
public struct ContactChange: Sendable, Hashable {
    public let before: AuthenticationData
    public let after: AuthenticationData
    /// The user made the change and proved the new value by its code: every address on file, old and new, is told
    /// (docs/behaviour.md#step-up). A value an administrator or the directory wrote was proved by nobody, and a typo
    /// in it must not send a stranger a "This wasn't me" link.
    public let provedByUser: Bool

    public init(before: AuthenticationData, after: AuthenticationData, provedByUser: Bool = false) {
        self.before = before
        self.after = after
        self.provedByUser = provedByUser
    }

    public var changedFields: [ContactField] {
        ContactField.allCases.filter { field in
            switch field {
            case .authenticationPhone: before.authenticationPhone != after.authenticationPhone
            case .authenticationEmail: before.authenticationEmail != after.authenticationEmail
            case .mobilePhone: before.mobilePhone != after.mobilePhone
            case .officePhone: before.officePhone != after.officePhone
            case .alternateEmail: before.alternateEmail != after.alternateEmail
            }
        }
    }

    /// The notices to send, one per old address and field. A field that was empty before is told to the addresses on
    /// file before the change: a first authentication email or phone becomes where reset codes go, so an attacker
    /// who adds one must not go unnoticed. Each carries `reportLink`, the change's "This wasn't me" link
    /// (``ReportLinks/notices(of:user:policy:language:)``), in `language` and again in `alsoIn` when it differs.
    public func notices(userID: String, organisation: String, language: Language, alsoIn: Language, reportLink: String) -> [OutgoingMessage] {
        changedFields.flatMap { field in
            recipients(of: field).sorted().map { address in
                MessageComposer.inBoth(language, alsoIn) {
                    MessageComposer.contactChanged(
                        to: address, field: field, added: isAdded(field), userID: userID, reportLink: reportLink, organisation: organisation, language: $0)
                }
            }
        }
    }

    private func isAdded(_ field: ContactField) -> Bool {
        switch field {
        case .authenticationPhone: before.authenticationPhone == nil
        case .authenticationEmail: before.authenticationEmail == nil
        case .mobilePhone: before.mobilePhone == nil
        case .officePhone: before.officePhone == nil
        case .alternateEmail: before.alternateEmail == nil
        }
    }

    /// Whether any notice is to be sent.
    public var tellsAnyone: Bool {
        changedFields.contains { !recipients(of: $0).isEmpty }
    }

    private func recipients(of field: ContactField) -> Set<EmailAddress> {
        let onFile = Set([before.authenticationEmail, before.alternateEmail].compactMap { $0 })
        if provedByUser { return onFile.union([after.authenticationEmail].compactMap { $0 }) }
        return switch field {
        case .authenticationEmail: before.authenticationEmail.map { [$0] } ?? onFile
        case .alternateEmail: before.alternateEmail.map { [$0] } ?? onFile
        case .authenticationPhone, .mobilePhone, .officePhone: onFile
        }
    }
}
