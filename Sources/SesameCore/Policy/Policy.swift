/// The organisation's self-service password reset policy: every knob, with its default (docs/behaviour.md#policy-keys).
///
/// Values are checked by ``PolicyKey`` as they are set and by ``validate()`` as a whole, so that a stored policy
/// is always one an administrator could have saved.
public struct Policy: Sendable, Hashable, Codable {
    public var enabled: EnabledScope = .all
    public var group: String = ""
    public var methods: Set<AuthenticationMethod> = [.mobilePhone, .email]
    public var methodsRequired = 1
    public var questionsToRegister = 3
    public var questionsToReset = 3
    /// Predefined question numbers (1–35) offered; `nil` offers all of them.
    public var predefinedQuestions: Set<Int>? = nil
    public var customQuestions: [String] = []
    public var requireRegistration = true
    public var reconfirmDays = 180
    public var notifyUsers = true
    public var notifyAdmins = true
    public var helpdeskLink: HelpdeskLink? = nil
    /// `nil` follows the installation: on when a directory is configured.
    public var writeback: Bool? = nil
    public var allowUnlock = true
    public var customBannedPasswords: [String] = []
    public var passwordExpiryDays = 0
    public var passwordExpiryNoticeDays = 14
    /// Calling codes phones may use; `nil` allows every country.
    public var allowedCountryCodes: Set<Int>? = nil
    public var organisationName = "Sesame"
    public var mailSenderName = ""
    /// Days the audit log and the activity reports keep a row (30–3650).
    public var activityRetentionDays: Int {
        get { storedRetentionDays ?? Self.defaultRetentionDays }
        set { storedRetentionDays = newValue }
    }
    /// Optional so that a policy saved before this knob existed still reads (as the default).
    private var storedRetentionDays: Int?
    /// Whether a user's registration needs one method that is neither a phone nor security questions
    /// (``AuthenticationMethod/isRestricted``): NIST SP 800-63B-4 asks for an alternative to the restricted phone
    /// authenticators (docs/behaviour.md#policy-keys).
    public var requireNonPhoneMethod: Bool {
        get { storedRequireNonPhoneMethod ?? false }
        set { storedRequireNonPhoneMethod = newValue }
    }
    /// Optional so that a policy saved before this knob existed still reads (as the default).
    private var storedRequireNonPhoneMethod: Bool?
    /// Whether the mobile phone, office phone and alternate email that an administrator, an import or the directory
    /// wrote serve a reset before the user confirmed them (Entra's behaviour, kept as the default); off, codes go only
    /// to the authentication phone and email the user verified by code (ASVS 5.0 6.6.1; docs/behaviour.md#policy-keys).
    public var prepopulatedForReset: Bool {
        get { storedPrepopulatedForReset ?? true }
        set { storedPrepopulatedForReset = newValue }
    }
    /// Optional so that a policy saved before this knob existed still reads (as the default).
    private var storedPrepopulatedForReset: Bool?
    /// Entra's password rules or NIST SP 800-63B-4's (docs/behaviour.md#passwords).
    public var passwordRules: PasswordRuleSet {
        get { storedPasswordRules ?? .entra }
        set { storedPasswordRules = newValue }
    }
    /// Optional so that a policy saved before this knob existed still reads (as the default).
    private var storedPasswordRules: PasswordRuleSet?
    /// The pages' language when neither the visitor's choice nor the browser's names one Sesame speaks, and the
    /// notices' language for a user who never chose one (docs/localization.md#choosing).
    public var defaultLanguage: Language {
        get { storedDefaultLanguage.flatMap(Language.init(rawValue:)) ?? .english }
        set { storedDefaultLanguage = newValue.rawValue }
    }
    /// Optional so that a policy saved before this knob existed still reads (as the default); a tag, so that one this
    /// version does not speak (written by a newer one) reads as English instead of failing the whole policy.
    private var storedDefaultLanguage: String?

    public init() {}

    public static let defaultRetentionDays = 365

    /// The group used when access is restricted to a group and none was named (docs/behaviour.md#policy-keys).
    public static let defaultGroup = "SSPRSecurityGroupUsers"

    /// Checks the rules that tie several knobs together; each failure names the knob to change.
    public func validate() throws(PolicyError) {
        if methods.isEmpty { throw PolicyError(.methods, "policy.methods.empty") }
        if methodsRequired > methods.count {
            throw PolicyError(.methodsRequired, "policy.methodsRequired.moreThanMethods", ["count": String(methods.count)])
        }
        if questionsToReset > questionsToRegister {
            throw PolicyError(.questionsToReset, "policy.questionsToReset.moreThanRegister", ["register": String(questionsToRegister)])
        }
        if methods.contains(.securityQuestions), availableQuestionCount < questionsToRegister {
            throw PolicyError(
                .predefinedQuestions, "policy.questions.tooFew",
                ["available": String(availableQuestionCount), "register": String(questionsToRegister)])
        }
        if requireNonPhoneMethod, methods.allSatisfy(\.isRestricted) {
            throw PolicyError(.requireNonPhoneMethod, "policy.requireNonPhoneMethod.noMethod")
        }
        if enabled == .selected, group.isEmpty {
            throw PolicyError(.group, "policy.group.empty")
        }
    }

    /// How many questions users can choose from.
    public var availableQuestionCount: Int {
        (predefinedQuestions?.count ?? PredefinedQuestions.count) + customQuestions.count
    }

    /// The questions users can choose from, predefined first.
    public var availableQuestions: [SecurityQuestion] {
        let predefined = (1...PredefinedQuestions.count).filter { predefinedQuestions?.contains($0) ?? true }
        return predefined.map(SecurityQuestion.predefined) + customQuestions.map(SecurityQuestion.custom)
    }

    /// Whether directory users' passwords are written back: the knob when set, else whether a directory is configured.
    public func writesBack(directoryConfigured: Bool) -> Bool {
        directoryConfigured && (writeback ?? true)
    }
}
