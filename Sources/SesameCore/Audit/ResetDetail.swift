/// The details column of the password reset activity report: Entra's catalogue, each tied to its result
/// (docs/behaviour.md#reports-and-audit).
public enum ResetDetail: Sendable, Hashable, TextCodable {
    case abandonedAfterStartingOption(VerificationOption)
    case abandonedAfterCompletingOption(VerificationOption)
    case abandonedAfterUserID
    case abandonedBeforeNewPassword
    case abandonedWhileNewPassword
    case blockedInvalidCodes(VerificationOption)
    case blockedPhoneValidation
    case cancelledBeforeMethods
    case cancelledBeforeNewPassword
    case contactedAdminAfterOption(VerificationOption)
    case contactedAdminBeforeOption
    case notEnabledForUser
    case accountDisabled
    case noCookies
    case insufficientMethods
    /// Too few methods because a phone on file is one the phone rule refuses (docs/security.md#toll-fraud).
    case phoneNotAllowed
    case managedInDirectory
    case directoryUnreachable
    case directoryFailed
    case notInGroup
    case disabledForOrganisation
    case succeeded
    case unlocked

    public var result: ResetResult {
        switch self {
        case .abandonedAfterStartingOption, .abandonedAfterCompletingOption, .abandonedAfterUserID,
            .abandonedBeforeNewPassword, .abandonedWhileNewPassword:
            .abandoned
        case .blockedInvalidCodes, .blockedPhoneValidation: .blocked
        case .cancelledBeforeMethods, .cancelledBeforeNewPassword: .cancelled
        case .contactedAdminAfterOption, .contactedAdminBeforeOption: .contactedAdmin
        case .notEnabledForUser, .accountDisabled, .noCookies, .insufficientMethods, .phoneNotAllowed,
            .managedInDirectory, .directoryUnreachable, .directoryFailed, .notInGroup, .disabledForOrganisation:
            .failed
        case .succeeded, .unlocked: .succeeded
        }
    }

    /// A stable code for storage and the API: `blockedInvalidCodes.mobileSMS`.
    public var code: String {
        switch self {
        case .abandonedAfterStartingOption(let option): "abandonedAfterStartingOption.\(option.rawValue)"
        case .abandonedAfterCompletingOption(let option): "abandonedAfterCompletingOption.\(option.rawValue)"
        case .blockedInvalidCodes(let option): "blockedInvalidCodes.\(option.rawValue)"
        case .contactedAdminAfterOption(let option): "contactedAdminAfterOption.\(option.rawValue)"
        default: String(describing: self)
        }
    }

    public init?(code: String) {
        guard let detail = Self.byCode[code] else { return nil }
        self = detail
    }

    /// Every detail, each option included.
    public static let allCases: [ResetDetail] = {
        let options = VerificationOption.allCases
        return options.map(abandonedAfterStartingOption) + options.map(abandonedAfterCompletingOption)
            + options.map(blockedInvalidCodes) + options.map(contactedAdminAfterOption) + [
                .abandonedAfterUserID, .abandonedBeforeNewPassword, .abandonedWhileNewPassword, .blockedPhoneValidation,
                .cancelledBeforeMethods, .cancelledBeforeNewPassword, .contactedAdminBeforeOption, .notEnabledForUser,
                .accountDisabled, .noCookies, .insufficientMethods, .phoneNotAllowed, .managedInDirectory, .directoryUnreachable,
                .directoryFailed, .notInGroup, .disabledForOrganisation, .succeeded, .unlocked,
            ]
    }()

    /// Read for every row of a report: a table, not a search of ``allCases``.
    private static let byCode = Dictionary(allCases.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })

    /// The report text: Entra's wording in English, and its French translation.
    public var text: LocalizedText {
        switch self {
        case .abandonedAfterStartingOption(let option), .abandonedAfterCompletingOption(let option):
            LocalizedText("detail.\(code.split(separator: ".")[0])", nested: ["option": "detailOption.\(option.rawValue)"])
        default:
            LocalizedText("detail.\(code)")
        }
    }

    public init(codableText: String) throws {
        guard let detail = ResetDetail(code: codableText) else { throw UnknownIdentifier(description: "unknown detail \(codableText)") }
        self = detail
    }

    public var codableText: String { code }
}
