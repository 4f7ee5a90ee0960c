import Foundation
import Testing

@testable import SesameCore

@Suite struct PolicyTests {
    /// The defaults of docs/behaviour.md#policy-keys, key by key: other people's scripts rely on them.
    @Test func defaultsMatchTheContract() {
        let shown = Dictionary(uniqueKeysWithValues: Policy().keyValues.map { ($0.key.rawValue, $0.value) })
        #expect(shown == [
            "enabled": "all", "group": "", "methods": "mobilePhone,email", "methodsRequired": "1",
            "questionsToRegister": "3", "questionsToReset": "3", "predefinedQuestions": "all", "customQuestions": "",
            "requireRegistration": "true", "requireNonPhoneMethod": "false", "prepopulatedForReset": "true", "reconfirmDays": "180", "notifyUsers": "true", "notifyAdmins": "true",
            "helpdeskLink": "", "writeback": "", "allowUnlock": "true", "passwordRules": "entra", "customBannedPasswords": "",
            "passwordExpiryDays": "0", "passwordExpiryNoticeDays": "14", "allowedCountryCodes": "all",
            "organisationName": "Sesame", "mailSenderName": "", "activityRetentionDays": "365", "defaultLanguage": "en",
        ])
        #expect(PolicyKey.allCases.count == 26)
    }

    /// A policy saved before `activityRetentionDays` existed has no such field: it reads with the default.
    @Test func aPolicySavedBeforeTheRetentionKnobStillReads() throws {
        var older = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(Policy())) as? [String: Any])
        older.removeValue(forKey: "storedRetentionDays")
        let read = try JSONDecoder().decode(Policy.self, from: JSONSerialization.data(withJSONObject: older))
        #expect(read.activityRetentionDays == 365)
        let kept = try JSONDecoder().decode(Policy.self, from: JSONEncoder().encode(try Policy().setting(.activityRetentionDays, to: "90")))
        #expect(kept.activityRetentionDays == 90)
    }

    /// A policy saved before `defaultLanguage` reads as English, and so does one naming a language this version does
    /// not speak (written by a newer one), instead of failing the whole policy.
    @Test func theDefaultLanguageReadsLeniently() throws {
        var stored = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(try Policy().setting(.defaultLanguage, to: "pt-BR"))) as? [String: Any])
        #expect(try JSONDecoder().decode(Policy.self, from: JSONSerialization.data(withJSONObject: stored)).defaultLanguage == .brazilianPortuguese)
        stored["storedDefaultLanguage"] = "tlh"
        #expect(try JSONDecoder().decode(Policy.self, from: JSONSerialization.data(withJSONObject: stored)).defaultLanguage == .english)
        stored.removeValue(forKey: "storedDefaultLanguage")
        #expect(try JSONDecoder().decode(Policy.self, from: JSONSerialization.data(withJSONObject: stored)).defaultLanguage == .english)
        #expect(throws: PolicyError.self) { try Policy().setting(.defaultLanguage, to: "tlh") }
    }

    @Test(arguments: [
        (PolicyKey.methodsRequired, "2", "2"), (.questionsToRegister, "5", "5"), (.reconfirmDays, "0", "0"),
        (.reconfirmDays, "730", "730"), (.enabled, "none", "none"), (.methods, "email, securityQuestions", "email,securityQuestions"),
        (.predefinedQuestions, "3,1,2,35", "1,2,3,35"), (.helpdeskLink, "https://help.contoso.com/sspr", "https://help.contoso.com/sspr"),
        (.helpdeskLink, "helpdesk@contoso.com", "helpdesk@contoso.com"), (.writeback, "false", "false"), (.prepopulatedForReset, "false", "false"),
        (.customBannedPasswords, "contoso,blank", "contoso,blank"), (.allowedCountryCodes, "+33,44,1", "1,33,44"),
        (.passwordExpiryDays, "90", "90"), (.organisationName, "Contoso Ltd", "Contoso Ltd"),
        (.activityRetentionDays, "30", "30"), (.activityRetentionDays, "3650", "3650"),
        (.customQuestions, "What is your badge colour?|Which floor is your desk on?", "What is your badge colour?|Which floor is your desk on?"),
    ])
    func acceptedValues(_ key: PolicyKey, _ value: String, _ shown: String) throws {
        let policy = try Policy().setting(key, to: value)
        #expect(key.value(in: policy) == shown)
    }

    @Test(arguments: [
        (PolicyKey.methodsRequired, "3", "methodsRequired: must be a whole number from 1 to 2 (got \"3\")"),
        (.questionsToRegister, "2", "questionsToRegister: must be a whole number from 3 to 5 (got \"2\")"),
        (.questionsToReset, "7", "questionsToReset: must be a whole number from 3 to 5 (got \"7\")"),
        (.reconfirmDays, "731", "reconfirmDays: must be a whole number from 0 to 730 (got \"731\")"),
        (.activityRetentionDays, "29", "activityRetentionDays: must be a whole number from 30 to 3650 (got \"29\")"),
        (.reconfirmDays, "-1", "reconfirmDays: must be a whole number from 0 to 730 (got \"-1\")"),
        (.reconfirmDays, "soon", "reconfirmDays: must be a whole number from 0 to 730 (got \"soon\")"),
        (.enabled, "some", "enabled: \"some\" is not allowed (allowed: none, selected, all)"),
        (.methods, "pigeon", "methods: \"pigeon\" is not allowed (allowed: mobilePhone, officePhone, email, securityQuestions, authenticatorApp, recoveryCodes, passkey)"),
        (.methods, "", "methods: choose at least one of mobilePhone, officePhone, email, securityQuestions, authenticatorApp, recoveryCodes, passkey"),
        (.notifyUsers, "yes", "notifyUsers: \"yes\" is not allowed (allowed: true, false)"),
        (.predefinedQuestions, "36", "predefinedQuestions: must be a whole number from 1 to 35 (got \"36\")"),
        (.customBannedPasswords, "abc", "customBannedPasswords: each term has 4 to 16 characters (\"abc\")"),
        (.customQuestions, "ab", "customQuestions: each question has 3 to 200 characters (\"ab\")"),
        (.allowedCountryCodes, "999", "allowedCountryCodes: \"999\" is not a country calling code (use a comma list such as 33,44 or all)"),
        (.helpdeskLink, "ftp://x", "helpdeskLink: \"ftp://x\" is neither an http(s) address nor an email address"),
        (.organisationName, "", "organisationName: between 1 and 100 characters"),
    ])
    func refusedValuesNameTheKeyAndRange(_ key: PolicyKey, _ value: String, _ message: String) {
        do {
            _ = try Policy().setting(key, to: value)
            Issue.record("\(key)=\(value) was accepted")
        } catch {
            #expect(error.key == key)
            #expect(error.description == message)
        }
    }

    @Test func customQuestionLimits() throws {
        let long = String(repeating: "q", count: 201)
        #expect(throws: PolicyError.self) { try Policy().setting(.customQuestions, to: long) }
        let twentyOne = (1...21).map { "Question number \($0)?" }.joined(separator: "|")
        #expect(throws: PolicyError.self) { try Policy().setting(.customQuestions, to: twentyOne) }
        #expect(throws: PolicyError.self) { try Policy().setting(.customQuestions, to: "Same one?|same one?") }
        #expect(throws: PolicyError.self) { try Policy().setting(.customQuestions, to: "ab") }
    }

    @Test func bannedListLimits() throws {
        let thousand = (1...1_000).map { "term\($0)" }.joined(separator: ",")
        #expect(try Policy().setting(.customBannedPasswords, to: thousand).customBannedPasswords.count == 1_000)
        #expect(throws: PolicyError.self) { try Policy().setting(.customBannedPasswords, to: thousand + ",more1") }
        #expect(throws: PolicyError.self) { try Policy().setting(.customBannedPasswords, to: String(repeating: "x", count: 17)) }
    }

    @Test func crossFieldRules() throws {
        var policy = Policy()
        policy.methods = [.email]
        #expect(throws: PolicyError.self) { try policy.setting(.methodsRequired, to: "2") }
        #expect(throws: PolicyError.self) { try Policy().setting(.questionsToReset, to: "4") }
        let four = try Policy().setting(.questionsToRegister, to: "4").setting(.questionsToReset, to: "4")
        #expect(four.questionsToReset == 4)
        let questions = try Policy().setting(.methods, to: "email,securityQuestions")
        do {
            _ = try questions.setting(.predefinedQuestions, to: "1,2")
            Issue.record("too few questions accepted")
        } catch {
            #expect(error.key == .predefinedQuestions)
            #expect(error.description == "predefinedQuestions: 2 questions are offered, fewer than the 3 users must register")
        }
        let withCustom = try questions.setting(.customQuestions, to: "What is your badge colour?").setting(.predefinedQuestions, to: "1,2")
        #expect(withCustom.availableQuestionCount == 3)
        #expect(withCustom.availableQuestions == [.predefined(1), .predefined(2), .custom("What is your badge colour?")])
    }

    @Test func selectingAGroupDefaultsItsName() throws {
        #expect(try Policy().setting(.enabled, to: "selected").group == "SSPRSecurityGroupUsers")
        #expect(try Policy().setting(.group, to: "sspr").setting(.enabled, to: "selected").group == "sspr")
    }

    @Test func errorsAreLocalised() {
        do {
            _ = try Policy().setting(.reconfirmDays, to: "900")
        } catch {
            #expect(error.rendered(in: .french) == "reconfirmDays : doit être un nombre entier de 0 à 730 (reçu « 900 »)")
        }
    }

    @Test func policyRoundTripsThroughJSON() throws {
        let policy = try Policy().setting(.helpdeskLink, to: "help@contoso.com").setting(.allowedCountryCodes, to: "33")
            .setting(.predefinedQuestions, to: "1,5,9").setting(.writeback, to: "true")
        let decoded = try JSONDecoder().decode(Policy.self, from: JSONEncoder().encode(policy))
        #expect(decoded == policy)
    }
}

@Suite struct EffectivePolicyTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func user(roles: Set<Role> = [], groups: Set<String> = [], enabled: Bool = true) -> User {
        User(userID: "u@contoso.com", roles: roles, groups: groups, enabled: enabled, createdAt: now)
    }

    @Test func administratorsGetTheFixedPolicy() throws {
        let policy = try Policy().setting(.methods, to: "securityQuestions,officePhone").setting(.methodsRequired, to: "1")
        for role in Role.allCases {
            let effective = policy.effective(for: user(roles: [role]))
            #expect(effective == .administrator(phones: policy.phones))
            #expect(effective.methods == [.email, .mobilePhone, .authenticatorApp, .passkey])
            #expect(effective.methodsRequired == 2)
        }
        #expect(policy.effective(for: user()).methods == [.securityQuestions, .officePhone])
    }

    @Test func eligibility() throws {
        let selected = try Policy().setting(.group, to: "sspr").setting(.enabled, to: "selected")
        #expect(selected.eligibility(of: user(groups: ["sspr"])) == .eligible)
        #expect(selected.eligibility(of: user(groups: ["other"])) == .notInGroup)
        // Administrators keep the right to reset outside the selected group.
        #expect(selected.eligibility(of: user(roles: [.helpdeskAdmin])) == .eligible)
        #expect(selected.eligibility(of: user(groups: ["sspr"], enabled: false)) == .accountDisabled)
        let none = try Policy().setting(.enabled, to: "none")
        #expect(none.eligibility(of: user()) == .disabledForOrganisation)
        #expect(none.eligibility(of: user(roles: [.globalAdmin])) == .eligible)
        #expect(Policy().eligibility(of: user()) == .eligible)
    }

    @Test func registrationCountsUsableMethods() throws {
        let phone = try PhoneNumber(international: "+33 6 12 34 56 78")
        let email = try EmailAddress("a@b.example")
        let twoGates = try Policy().setting(.methodsRequired, to: "2").effective(for: user())
        #expect(!twoGates.isSatisfied(by: AuthenticationData(mobilePhone: phone)))
        #expect(twoGates.isSatisfied(by: AuthenticationData(mobilePhone: phone, alternateEmail: email)))
        // Office phone is not offered by default, so it does not count.
        #expect(!twoGates.isSatisfied(by: AuthenticationData(officePhone: phone, alternateEmail: email)))
        let answers = (1...3).map { SecurityAnswer(question: .predefined($0), answerHash: "h") }
        let questions = try Policy().setting(.methods, to: "securityQuestions,email").effective(for: user())
        #expect(questions.usableMethods(of: AuthenticationData(securityAnswers: Array(answers.prefix(2)))).isEmpty)
        #expect(questions.usableMethods(of: AuthenticationData(securityAnswers: answers)) == [.securityQuestions])
    }

    @Test func registrationInterrupt() throws {
        var someone = user()
        someone.authentication.mobilePhone = try PhoneNumber(international: "+33 6 12 34 56 78")
        #expect(Policy().registrationInterrupt(for: someone, now: now) == .register)
        someone.registration.confirm(at: now)
        #expect(Policy().registrationInterrupt(for: someone, now: now.addingTimeInterval(179 * 86_400)) == nil)
        #expect(Policy().registrationInterrupt(for: someone, now: now.addingTimeInterval(181 * 86_400)) == .reconfirm)
        #expect(try Policy().setting(.reconfirmDays, to: "0").registrationInterrupt(for: someone, now: now.addingTimeInterval(1_000 * 86_400)) == nil)
        #expect(try Policy().setting(.requireRegistration, to: "false").registrationInterrupt(for: user(), now: now) == nil)
    }
}

/// The expiry rule lives in the core beside the knob it reads (docs/behaviour.md#sign-in).
@Suite struct PasswordExpiryTests {
    @Test func daysLeftAndExpiry() throws {
        var policy = Policy()
        let user = User(userID: "alice@contoso.com", passwordChangedAt: Date(timeIntervalSince1970: 0), createdAt: Date(timeIntervalSince1970: 0))
        #expect(policy.passwordExpiry(of: user, now: Date(timeIntervalSince1970: 400 * 86_400)) == .never, "expiry off")
        policy.passwordExpiryDays = 90
        #expect(policy.passwordExpiry(of: user, now: Date(timeIntervalSince1970: 10 * 86_400)) == PasswordExpiry(expired: false, daysLeft: 80))
        #expect(policy.passwordExpiry(of: user, now: Date(timeIntervalSince1970: 89.5 * 86_400)) == PasswordExpiry(expired: false, daysLeft: 1))
        #expect(policy.passwordExpiry(of: user, now: Date(timeIntervalSince1970: 90 * 86_400)).expired)
        #expect(policy.passwordExpiry(of: User(userID: "bob@contoso.com", createdAt: Date()), now: Date()) == .never, "never set")
    }
}
