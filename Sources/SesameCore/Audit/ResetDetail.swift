/// The details column of the password reset activity report: spec §5's catalogue, each tied to its result.
public enum ResetDetail: Sendable, Hashable, Codable {
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
        case .notEnabledForUser, .accountDisabled, .noCookies, .insufficientMethods, .managedInDirectory,
            .directoryUnreachable, .directoryFailed, .notInGroup, .disabledForOrganisation:
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
        let parts = code.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.count == 2 {
            guard let option = VerificationOption(rawValue: parts[1]) else { return nil }
            switch parts[0] {
            case "abandonedAfterStartingOption": self = .abandonedAfterStartingOption(option)
            case "abandonedAfterCompletingOption": self = .abandonedAfterCompletingOption(option)
            case "blockedInvalidCodes": self = .blockedInvalidCodes(option)
            case "contactedAdminAfterOption": self = .contactedAdminAfterOption(option)
            default: return nil
            }
            return
        }
        let simple: [ResetDetail] = [
            .abandonedAfterUserID, .abandonedBeforeNewPassword, .abandonedWhileNewPassword, .blockedPhoneValidation,
            .cancelledBeforeMethods, .cancelledBeforeNewPassword, .contactedAdminBeforeOption, .notEnabledForUser,
            .accountDisabled, .noCookies, .insufficientMethods, .managedInDirectory, .directoryUnreachable,
            .directoryFailed, .notInGroup, .disabledForOrganisation, .succeeded, .unlocked,
        ]
        guard let detail = simple.first(where: { $0.code == code }) else { return nil }
        self = detail
    }

    /// The report text: spec §5's wording in English, and its French translation.
    public var text: LocalizedText {
        switch self {
        case .abandonedAfterStartingOption(let option), .abandonedAfterCompletingOption(let option):
            LocalizedText("detail.\(code.split(separator: ".")[0])", nested: ["option": "detailOption.\(option.rawValue)"])
        default:
            LocalizedText("detail.\(code)")
        }
    }

    public init(from decoder: any Decoder) throws {
        let code = try decoder.singleValueContainer().decode(String.self)
        guard let detail = ResetDetail(code: code) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown detail \(code)"))
        }
        self = detail
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
