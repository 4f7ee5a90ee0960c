import Foundation
import SesameCore

/// The admin policy page's form: the policy's knobs (docs/behaviour.md#policy-keys) in its sections, each with its kind
/// of input, its help text (which names the allowed range) and the knob it depends on, for the template to render and
/// the controller to read back.
struct PolicyForm {
    enum Input {
        /// Radio buttons: value and catalogue key of each label.
        case choice([(value: String, label: String)])
        case yesNo
        case checkboxes([(value: String, label: String)])
        case text
        /// One item per line; stored joined with `separator`.
        case lines(separator: String)
        case number(ClosedRange<Int>)
        /// A drop-down list: value and label, the label shown as it is (a language's own name).
        case menu([(value: String, label: String)])
    }

    struct Field {
        let key: PolicyKey
        let input: Input
        /// A CSS class that hides the field while the knob it depends on is off: options appear only when their parent
        /// is on (docs/behaviour.md#administration).
        let dependsOn: String?

        init(_ key: PolicyKey, _ input: Input, dependsOn: String? = nil) {
            self.key = key
            self.input = input
            self.dependsOn = dependsOn
        }
    }

    static let sections: [(name: String, fields: [Field])] = [
        ("who", [
            Field(.enabled, .choice(EnabledScope.allCases.map { ($0.rawValue, "admin.policy.enabled.\($0.rawValue)") })),
            Field(.group, .text, dependsOn: "when-selected"),
        ]),
        ("methods", [
            Field(.methods, .checkboxes(AuthenticationMethod.allCases.map { ($0.rawValue, "admin.method.\($0.rawValue)") }), dependsOn: "when-enabled"),
            Field(.methodsRequired, .number(1...2), dependsOn: "when-enabled"),
            Field(.questionsToRegister, .number(3...5), dependsOn: "when-questions"),
            Field(.questionsToReset, .number(3...5), dependsOn: "when-questions"),
            Field(.predefinedQuestions, .checkboxes([]), dependsOn: "when-questions"),
            Field(.customQuestions, .lines(separator: "|"), dependsOn: "when-questions"),
            Field(.prepopulatedForReset, .yesNo, dependsOn: "when-enabled"),
        ]),
        ("registration", [
            Field(.requireRegistration, .yesNo, dependsOn: "when-enabled"),
            Field(.requireNonPhoneMethod, .yesNo, dependsOn: "when-enabled"),
            Field(.reconfirmDays, .number(0...730), dependsOn: "when-registration"),
        ]),
        ("notifications", [Field(.notifyUsers, .yesNo), Field(.notifyAdmins, .yesNo)]),
        ("customisation", [
            Field(.helpdeskLink, .text), Field(.organisationName, .text), Field(.mailSenderName, .text),
            Field(.defaultLanguage, .menu(Language.allCases.map { ($0.rawValue, $0.autonym) })),
        ]),
        ("onPremises", [Field(.writeback, .yesNo), Field(.allowUnlock, .yesNo, dependsOn: "when-writeback")]),
        ("passwords", [
            Field(.passwordRules, .choice(PasswordRuleSet.allCases.map { ($0.rawValue, "admin.policy.passwordRules.\($0.rawValue)") })),
            Field(.customBannedPasswords, .lines(separator: ",")),
            Field(.passwordExpiryDays, .number(0...730)),
            Field(.passwordExpiryNoticeDays, .number(0...90)),
            Field(.allowedCountryCodes, .text),
        ]),
        ("reports", [Field(.activityRetentionDays, .number(30...3_650))]),
    ]

    static var fields: [Field] { sections.flatMap(\.fields) }

    /// The posted values by knob, as `PolicyKey` reads them. An unchecked box sends nothing, so every box list
    /// is read (empty when none is ticked); the writeback choice is left as "follow the installation" while it
    /// says what the installation does.
    static func values(from form: FormData, current policy: Policy, directoryConfigured: Bool) -> [PolicyKey: String] {
        var values: [PolicyKey: String] = [:]
        for field in fields {
            switch field.input {
            case .checkboxes:
                let ticked = form.all(field.key.rawValue)
                if field.key == .predefinedQuestions, Set(ticked) == Set((1...PredefinedQuestions.count).map(String.init)) {
                    values[field.key] = "all"
                } else {
                    values[field.key] = ticked.joined(separator: ",")
                }
            case .lines(let separator):
                let lines = (form[field.key.rawValue] ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingWhiteSpace() }
                values[field.key] = lines.filter { !$0.isEmpty }.joined(separator: separator)
            default:
                guard let value = form[field.key.rawValue] else { continue }
                values[field.key] = value
            }
        }
        if policy.writeback == nil, values[.writeback] == String(policy.writesBack(directoryConfigured: directoryConfigured)) {
            values[.writeback] = nil
        }
        return values
    }

    /// What the template shows: each section's fields with labels, help, current values and errors.
    static func view(
        policy: Policy, submitted: [PolicyKey: String]?, errors: PolicyErrors?, directoryConfigured: Bool, language: Language,
        text: (String) -> String
    ) -> [[String: Any]] {
        sections.map { section in
            [
                "title": text("admin.policy.section.\(section.name)"),
                "fields": section.fields.map { field in
                    fieldView(field, policy: policy, submitted: submitted, error: errors?.error(for: field.key),
                              directoryConfigured: directoryConfigured, language: language, text: text)
                },
            ]
        }
    }

    private static func fieldView(
        _ field: Field, policy: Policy, submitted: [PolicyKey: String]?, error: PolicyError?, directoryConfigured: Bool,
        language: Language, text: (String) -> String
    ) -> [String: Any] {
        let key = field.key
        let value = submitted?[key] ?? (key == .writeback ? String(policy.writesBack(directoryConfigured: directoryConfigured)) : key.value(in: policy))
        var view: [String: Any] = [
            "key": key.rawValue, "label": text("admin.policy.\(key.rawValue).label"), "help": text("admin.policy.\(key.rawValue).help"),
            "class": field.dependsOn ?? "", "error": error.map { $0.rendered(in: language) } ?? false, "value": value,
            "isWriteback": key == .writeback,
            // Shown while expiry is on, saved or just submitted (docs/behaviour.md#passwords).
            "warning": key == .passwordExpiryDays && (Int(value) ?? 0) > 0 ? text("admin.policy.passwordExpiryDays.warning") : false,
        ]
        switch field.input {
        case .choice(let options):
            view["isRadio"] = true
            view["radios"] = options.map { ["value": $0.value, "label": text($0.label), "checked": $0.value == value] }
        case .yesNo:
            view["isRadio"] = true
            view["radios"] = [("true", "admin.yes"), ("false", "admin.no")].map { ["value": $0.0, "label": text($0.1), "checked": $0.0 == value] }
        case .checkboxes(let options):
            let chosen = Set(value.split(separator: ",").map(String.init))
            let all = key == .predefinedQuestions
                ? (1...PredefinedQuestions.count).map { (String($0), PredefinedQuestions.text($0, in: language) ?? "") }
                : options.map { ($0.value, text($0.label)) }
            view["isBoxes"] = true
            view["boxes"] = all.map { box -> [String: Any] in
                // The standards' reason beside each restricted method (docs/behaviour.md#administration).
                let restricted = key == .methods && AuthenticationMethod(rawValue: box.0)?.isRestricted == true
                return [
                    "value": box.0, "label": box.1, "checked": value == "all" || chosen.contains(box.0),
                    "note": restricted ? text("admin.method.restricted.\(box.0)") : false,
                ]
            }
        case .text:
            view["text"] = true
        case .lines(let separator):
            view["isLines"] = true
            view["lines"] = value.split(separator: Character(separator)).joined(separator: "\n")
        case .number(let range):
            view["number"] = ["min": range.lowerBound, "max": range.upperBound]
        case .menu(let options):
            view["isMenu"] = true
            view["options"] = options.map { ["value": $0.value, "label": $0.label, "selected": $0.value == value] }
        }
        return view
    }
}
