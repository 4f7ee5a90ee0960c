import Foundation

/// The policy's knobs by their contract names (docs/behaviour.md#policy-keys): the same names in `sesame policy set`
/// and the JSON API.
public enum PolicyKey: String, Sendable, Codable, CaseIterable {
    case enabled, group, methods, methodsRequired, questionsToRegister, questionsToReset, predefinedQuestions
    case customQuestions, requireRegistration, requireNonPhoneMethod, prepopulatedForReset, reconfirmDays, notifyUsers, notifyAdmins, helpdeskLink, writeback
    case allowUnlock, passwordRules, customBannedPasswords, passwordExpiryDays, passwordExpiryNoticeDays, allowedCountryCodes
    case organisationName, mailSenderName, activityRetentionDays, defaultLanguage

    public static let customQuestionLength = 3...200
    public static let maximumCustomQuestions = 20
    public static let bannedTermLength = 4...16
    public static let maximumBannedTerms = 1_000
    public static let maximumNameLength = 100

    /// The value as `policy show` prints it and `policy set` reads it back.
    public func value(in policy: Policy) -> String {
        switch self {
        case .enabled: policy.enabled.rawValue
        case .group: policy.group
        case .methods: policy.methods.sorted().map(\.rawValue).joined(separator: ",")
        case .methodsRequired: String(policy.methodsRequired)
        case .questionsToRegister: String(policy.questionsToRegister)
        case .questionsToReset: String(policy.questionsToReset)
        case .predefinedQuestions: policy.predefinedQuestions.map { $0.sorted().map(String.init).joined(separator: ",") } ?? "all"
        case .customQuestions: policy.customQuestions.joined(separator: "|")
        case .requireRegistration: String(policy.requireRegistration)
        case .requireNonPhoneMethod: String(policy.requireNonPhoneMethod)
        case .prepopulatedForReset: String(policy.prepopulatedForReset)
        case .reconfirmDays: String(policy.reconfirmDays)
        case .notifyUsers: String(policy.notifyUsers)
        case .notifyAdmins: String(policy.notifyAdmins)
        case .helpdeskLink: policy.helpdeskLink?.description ?? ""
        case .writeback: policy.writeback.map(String.init) ?? ""
        case .allowUnlock: String(policy.allowUnlock)
        case .passwordRules: policy.passwordRules.rawValue
        case .customBannedPasswords: policy.customBannedPasswords.joined(separator: ",")
        case .passwordExpiryDays: String(policy.passwordExpiryDays)
        case .passwordExpiryNoticeDays: String(policy.passwordExpiryNoticeDays)
        case .allowedCountryCodes: policy.allowedCountryCodes.map { $0.sorted().map(String.init).joined(separator: ",") } ?? "all"
        case .organisationName: policy.organisationName
        case .mailSenderName: policy.mailSenderName
        case .activityRetentionDays: String(policy.activityRetentionDays)
        case .defaultLanguage: policy.defaultLanguage.rawValue
        }
    }

    /// Sets this knob from text, refusing a value outside its range with a message that names the key and the range.
    public func apply(_ text: String, to policy: inout Policy) throws(PolicyError) {
        let value = text.trimmingWhiteSpaceAndNewlines()
        switch self {
        case .enabled:
            guard let scope = EnabledScope(rawValue: value) else { throw choice(value, EnabledScope.allCases.map(\.rawValue)) }
            policy.enabled = scope
            if scope == .selected, policy.group.isEmpty { policy.group = Policy.defaultGroup }
        case .group:
            guard value.count <= 256 else { throw PolicyError(self, "policy.text.tooLong", ["max": "256"]) }
            policy.group = value
        case .methods:
            var methods: Set<AuthenticationMethod> = []
            for name in list(value) {
                guard let method = AuthenticationMethod(rawValue: name) else {
                    throw choice(name, AuthenticationMethod.allCases.map(\.rawValue))
                }
                methods.insert(method)
            }
            guard !methods.isEmpty else { throw PolicyError(self, "policy.methods.empty") }
            policy.methods = methods
        case .methodsRequired: policy.methodsRequired = try integer(value, in: 1...2)
        case .questionsToRegister: policy.questionsToRegister = try integer(value, in: 3...5)
        case .questionsToReset: policy.questionsToReset = try integer(value, in: 3...5)
        case .predefinedQuestions:
            if value == "all" {
                policy.predefinedQuestions = nil
            } else {
                let numbers = try list(value).map { item throws(PolicyError) in try integer(item, in: 1...PredefinedQuestions.count) }
                policy.predefinedQuestions = Set(numbers)
            }
        case .customQuestions:
            let questions = value.split(separator: "|").map { $0.trimmingWhiteSpace() }.filter { !$0.isEmpty }
            guard questions.count <= Self.maximumCustomQuestions else {
                throw PolicyError(self, "policy.customQuestions.tooMany", ["max": String(Self.maximumCustomQuestions)])
            }
            for question in questions where !Self.customQuestionLength.contains(question.count) {
                throw PolicyError(self, "policy.customQuestions.length", ["value": question])
            }
            guard Set(questions.map { $0.lowercased() }).count == questions.count else {
                throw PolicyError(self, "policy.customQuestions.duplicate")
            }
            policy.customQuestions = questions
        case .requireRegistration: policy.requireRegistration = try boolean(value)
        case .requireNonPhoneMethod: policy.requireNonPhoneMethod = try boolean(value)
        case .prepopulatedForReset: policy.prepopulatedForReset = try boolean(value)
        case .reconfirmDays: policy.reconfirmDays = try integer(value, in: 0...730)
        case .notifyUsers: policy.notifyUsers = try boolean(value)
        case .notifyAdmins: policy.notifyAdmins = try boolean(value)
        case .helpdeskLink:
            do {
                policy.helpdeskLink = value.isEmpty ? nil : try HelpdeskLink(value)
            } catch {
                throw PolicyError(self, error.message.key, error.message.arguments)
            }
        case .writeback: policy.writeback = value.isEmpty ? nil : try boolean(value)
        case .allowUnlock: policy.allowUnlock = try boolean(value)
        case .passwordRules:
            guard let rules = PasswordRuleSet(rawValue: value) else { throw choice(value, PasswordRuleSet.allCases.map(\.rawValue)) }
            policy.passwordRules = rules
        case .customBannedPasswords:
            let terms = list(value)
            guard terms.count <= Self.maximumBannedTerms else {
                throw PolicyError(self, "policy.banned.tooMany", ["max": String(Self.maximumBannedTerms)])
            }
            for term in terms where !Self.bannedTermLength.contains(term.count) {
                throw PolicyError(self, "policy.banned.length", ["value": term])
            }
            policy.customBannedPasswords = terms
        case .passwordExpiryDays: policy.passwordExpiryDays = try integer(value, in: 0...730)
        case .passwordExpiryNoticeDays: policy.passwordExpiryNoticeDays = try integer(value, in: 0...90)
        case .allowedCountryCodes:
            if value == "all" {
                policy.allowedCountryCodes = nil
            } else {
                var codes: Set<Int> = []
                for item in list(value) {
                    let code = try integer(item.trimmingCharacters(in: ["+"]), in: 1...999)
                    guard NumberingPlan.byCallingCode[code] != nil else {
                        throw PolicyError(self, "policy.countryCode.unknown", ["value": item])
                    }
                    codes.insert(code)
                }
                guard !codes.isEmpty else { throw PolicyError(self, "policy.countryCode.empty") }
                policy.allowedCountryCodes = codes
            }
        case .organisationName:
            guard (1...Self.maximumNameLength).contains(value.count) else {
                throw PolicyError(self, "policy.text.length", ["min": "1", "max": String(Self.maximumNameLength)])
            }
            policy.organisationName = value
        case .mailSenderName:
            guard value.count <= Self.maximumNameLength else {
                throw PolicyError(self, "policy.text.tooLong", ["max": String(Self.maximumNameLength)])
            }
            policy.mailSenderName = value
        case .activityRetentionDays: policy.activityRetentionDays = try integer(value, in: 30...3_650)
        case .defaultLanguage:
            guard let language = Language(rawValue: value) else { throw choice(value, Language.allCases.map(\.rawValue)) }
            policy.defaultLanguage = language
        }
    }

    private func list(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingWhiteSpace() }.filter { !$0.isEmpty }
    }

    private func integer(_ value: String, in range: ClosedRange<Int>) throws(PolicyError) -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw PolicyError(self, "policy.integer.range", ["min": String(range.lowerBound), "max": String(range.upperBound), "value": value])
        }
        return number
    }

    private func boolean(_ value: String) throws(PolicyError) -> Bool {
        switch value {
        case "true": return true
        case "false": return false
        default: throw choice(value, ["true", "false"])
        }
    }

    private func choice(_ value: String, _ allowed: [String]) -> PolicyError {
        PolicyError(self, "policy.choice", ["value": value, "allowed": allowed.joined(separator: ", ")])
    }
}

extension Policy {
    /// Sets one knob by name and checks the whole policy, so that no half-valid policy is ever returned.
    public func setting(_ key: PolicyKey, to text: String) throws(PolicyError) -> Policy {
        var policy = self
        try key.apply(text, to: &policy)
        try policy.validate()
        return policy
    }

    /// Sets several knobs at once (the admin page's Save, the API's update): every refused value is reported, and
    /// nothing changes unless all are accepted and the whole policy is valid.
    public func updating(_ values: [PolicyKey: String]) throws(PolicyErrors) -> Policy {
        var policy = self
        var errors: [PolicyError] = []
        for key in PolicyKey.allCases {
            guard let value = values[key] else { continue }
            do {
                try key.apply(value, to: &policy)
            } catch {
                errors.append(error)
            }
        }
        // A group left empty when access is restricted becomes the default group (docs/behaviour.md#policy-keys).
        if policy.enabled == .selected, policy.group.isEmpty { policy.group = Policy.defaultGroup }
        guard errors.isEmpty else { throw PolicyErrors(errors: errors) }
        do {
            try policy.validate()
        } catch {
            throw PolicyErrors(errors: [error])
        }
        return policy
    }

    /// Every knob and its value, in contract order.
    public var keyValues: [(key: PolicyKey, value: String)] {
        PolicyKey.allCases.map { ($0, $0.value(in: self)) }
    }
}
