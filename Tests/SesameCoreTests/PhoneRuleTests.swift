import Foundation
import Testing

@testable import SesameCore

/// The toll-fraud rule (docs/security.md#toll-fraud): the numbering plan's type decides what may be texted or called.
@Suite struct PhoneRuleTests {
    typealias Refusal = PhoneRule.Refusal

    /// Number, then the refusal for a text and for a call (`nil`: allowed), under a policy that allows every country.
    static let table: [(String, Refusal?, Refusal?)] = [
        ("+33 6 12 34 56 78", nil, nil),  // French mobile (06)
        ("+33 7 81 23 45 67", nil, nil),  // French mobile (07)
        ("+33 1 23 45 67 89", .landline, nil),  // French landline: called, never texted
        ("+33 8 91 23 45 67", .notPersonal, .notPersonal),  // French premium rate (089x)
        ("+33 8 99 12 34 56", .notPersonal, .notPersonal),
        ("+33 9 12 34 56 78", .notPersonal, .notPersonal),  // French VoIP (09)
        ("+44 7400 123456", nil, nil),  // UK mobile
        ("+44 20 7946 0958", .landline, nil),  // UK landline
        ("+44 909 876 5432", .notPersonal, .notPersonal),  // UK premium rate (09xx)
        ("+44 871 234 5678", .notPersonal, .notPersonal),  // UK 087x, charged above a landline
        ("+44 300 123 4567", .notPersonal, .notPersonal),  // UK non-geographic (03)
        ("+979 1 2345 6789", .notPersonal, .notPersonal),  // international premium rate
        ("+881 6 1234 5678", .notPersonal, .notPersonal),  // satellite, a "mobile" to libphonenumber
        ("+882 342 1234", .notPersonal, .notPersonal),  // international networks, a "mobile" to libphonenumber
        ("+808 1234 5678", .notPersonal, .notPersonal),  // international shared cost
        ("+1 201 555 0123", nil, nil),  // US: fixed-line and mobile numbers share their pattern, so both
        ("+1 900 234 5678", .notPersonal, .notPersonal),  // NANP premium rate
        ("+1 800 234 5678", .notPersonal, .notPersonal),  // NANP freephone
        ("+49 151 12345678", nil, nil),  // German mobile
        ("+49 30 12345678", .landline, nil),  // German landline
    ]

    @Test(arguments: table)
    func theNumberTypeDecidesTheChannels(_ number: String, sms: Refusal?, voice: Refusal?) throws {
        let rule = PhoneRule(allowedCountryCodes: nil)
        let phone = try PhoneNumber(international: number)
        #expect(rule.refusal(of: phone, for: .sms) == sms)
        #expect(rule.refusal(of: phone, for: .voice) == voice)
    }

    @Test func theCountryComesFirst() throws {
        let rule = PhoneRule(allowedCountryCodes: [33])
        #expect(rule.permits(try PhoneNumber(international: "+33 6 12 34 56 78"), for: .sms))
        for number in ["+44 7400 123456", "+979 1 2345 6789", "+882 342 1234"] {
            let phone = try PhoneNumber(international: number)
            #expect(rule.refusal(of: phone, for: .sms) == .countryNotAllowed)
            #expect(rule.refusal(of: phone, for: .voice) == .countryNotAllowed)
        }
    }

    @Test func aNumberOnFileMustServeACall() throws {
        let rule = PhoneRule(allowedCountryCodes: nil)
        #expect(try rule.phoneOnFile("+33 1 23 45 67 89").e164 == "+33123456789")
        #expect(throws: ValidationError("phone.notPersonal", ["code": "33"])) { try rule.phoneOnFile("+33 8 91 23 45 67") }
        #expect(throws: ValidationError("phone.countryNotAllowed", ["code": "44"])) {
            try PhoneRule(allowedCountryCodes: [33]).phoneOnFile("+44 7400 123456")
        }
    }

    @Test func refusalsSayWhatToDoInBothLanguages() throws {
        let rule = PhoneRule(allowedCountryCodes: nil)
        #expect(throws: ValidationError("phone.landline", ["code": "33"])) {
            try rule.check(try PhoneNumber(international: "+33 1 23 45 67 89"), for: .sms)
        }
        for key in ["phone.notPersonal", "phone.landline"] {
            let english = LocalizedText(key).rendered(in: .english)
            let french = LocalizedText(key).rendered(in: .french)
            #expect(english.contains("enter a mobile phone number") && french.contains("saisissez un numéro de téléphone mobile"))
        }
    }

    @Test func aStoredNumberTheRuleRefusesIsNotAUsableMethod() throws {
        let data = AuthenticationData(
            mobilePhone: try PhoneNumber(international: "+33 8 91 23 45 67"), officePhone: try PhoneNumber(international: "+33 1 23 45 67 89"))
        let effective = try Policy().setting(.methods, to: "mobilePhone,officePhone").setting(.methodsRequired, to: "1")
            .effective(for: User(userID: "u@contoso.com", createdAt: .init(timeIntervalSince1970: 0)))
        #expect(effective.usableMethods(of: data) == [.officePhone])
        #expect(effective.refusesPhone(of: data))
        let abroad = try Policy().setting(.methods, to: "mobilePhone,officePhone").setting(.allowedCountryCodes, to: "44")
            .effective(for: User(userID: "u@contoso.com", createdAt: .init(timeIntervalSince1970: 0)))
        #expect(abroad.usableMethods(of: data).isEmpty)
    }
}
