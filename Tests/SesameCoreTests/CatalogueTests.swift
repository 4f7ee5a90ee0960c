import Foundation
import Testing
import SesameTestSupport

@testable import SesameCore

@Suite struct CatalogueTests {
    /// Every language has every English key, no empty text, the same placeholders, and plurals that parse with exactly
    /// the language's CLDR categories (docs/localization.md#checks). The web's catalogue is checked in SesameWebTests.
    @Test(arguments: Language.allCases) func everyLanguageHasEveryMessage(_ language: Language) {
        for problem in CatalogueCheck.problems(in: .core, language: language) { Issue.record("\(language.rawValue): \(problem)") }
    }

    @Test func everyKeyTheCoreUsesExists() {
        let english = Catalogue.core.table(.english)
        var keys = PasswordRejection.allCases.map { $0.message(rules: .default).key }
        keys += VerificationOption.allCases.map { $0.label.key }
        keys += ResetResult.allCases.map { "report.result.\($0)" }
        keys += AuthenticationMethod.allCases.map { "report.method.\($0.rawValue)" }
        keys += (1...PredefinedQuestions.count).map { "question.predefined.\($0)" }
        for key in keys { #expect(english[key] != nil, "\(key)") }
        for detail in ResetDetail.allCases {
            for language in Language.allCases {
                let text = detail.text.rendered(in: language)
                #expect(!text.hasPrefix("detail.") && !text.contains("{"), "\(detail.code) in \(language): \(text)")
            }
        }
    }

    @Test func fillsNamedPlaceholdersAndPlurals() throws {
        let format = try #require(MessageFormat("{a} and {b}, {a}: {n, plural, =0 {none} one {# item} other {# items of {a}}}"))
        #expect(format.format(["a": "x", "b": "y", "n": "0"], in: .english) == "x and y, x: none")
        #expect(format.format(["a": "x", "b": "y", "n": "1"], in: .english) == "x and y, x: 1 item")
        #expect(format.format(["a": "x", "b": "y", "n": "7"], in: .english) == "x and y, x: 7 items of x")
        #expect(format.format(["a": "x"], in: .english) == "x and {b}, x: {n} items of x", "missing arguments show")
        #expect(format.argumentNames == ["a", "b", "n"])
        let russian = try #require(MessageFormat("{n, plural, one {# минута} few {# минуты} many {# минут} other {# минуты}}"))
        #expect([1, 2, 5, 11, 21, 22, 25].map { russian.format(["n": String($0)], in: .russian) }
            == ["1 минута", "2 минуты", "5 минут", "11 минут", "21 минута", "22 минуты", "25 минут"])
        #expect(LocalizedText("not.a.key").rendered(in: .french) == "not.a.key")
    }

    @Test func malformedTemplatesAreRefusedAndShownAsWritten() {
        for template in ["open { brace", "close } brace", "{n, plural, one {x}}", "{n, select, a {x} other {y}}", "{n, plural, one {x} other {y}", "{}", "{n, plural, pigeon {x} other {y}}"] {
            #expect(MessageFormat(template) == nil, "\(template)")
        }
        #expect(Catalogue(folders: []).render(LocalizedText("open { brace"), in: .english) == "open { brace")
    }

    /// Arabic and Hebrew isolate each argument, so a phone number keeps its order inside the sentence: left to right
    /// unless the value is itself Arabic or Hebrew.
    @Test func rightToLeftArgumentsAreIsolated() throws {
        let format = try #require(MessageFormat("{phone} {method} {n, plural, zero {#} one {#} two {#} few {#} many {#} other {#}}"))
        let arguments = ["phone": "+33 6•• •• •• 78", "method": "رسالة نصية", "n": "3"]
        #expect(format.format(arguments, in: .arabic) == "\u{2066}+33 6•• •• •• 78\u{2069} \u{2068}رسالة نصية\u{2069} 3")
        #expect(format.format(arguments, in: .english) == "+33 6•• •• •• 78 رسالة نصية 3")
        // A code or a number alone reads left to right anyway, and phones find a code by its digits.
        #expect(try #require(MessageFormat("{code}")).format(["code": "042917"], in: .hebrew) == "042917")
        let code = try #require(VerificationCode("042917"))
        for channel in [CodeChannel.sms, .voice] {
            let message = MessageComposer.verificationCode(code, channel: channel, to: "+972501234567", organisation: "Contoso", language: .hebrew)
            #expect(message.text.contains(channel == .sms ? "042917" : "0, 4, 2, 9, 1, 7"))
            #expect(channel == .sms || !message.text.unicodeScalars.contains { (0x2066...0x2069).contains($0.value) }, "a voice reads no marks")
        }
    }

    /// Direction controls in an argument are dropped, so a name holding U+202E cannot turn the sentence around; a
    /// link is not isolated, so a mail client's link finder takes it whole.
    @Test func argumentsCannotTurnTheSentenceAround() throws {
        let format = try #require(MessageFormat("{name} {link}"))
        let arguments = ["name": "evil\u{2069}\u{202E}gpj.exe", "link": "https://sesame.test/wasnt-me/T?lang=ar"]
        #expect(format.format(arguments, in: .english) == "evilgpj.exe https://sesame.test/wasnt-me/T?lang=ar")
        #expect(format.format(arguments, in: .arabic) == "\u{2066}evilgpj.exe\u{2069} https://sesame.test/wasnt-me/T?lang=ar")
    }

    /// The hand-written rules against CLDR's, as Babel wrote them into the fixture (scripts/data/plurals.py).
    @Test func pluralRulesAreCLDRs() throws {
        struct Fixture: Decodable {
            let numbers: [Int]
            let categories: [String: [String]]
        }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/plurals.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        #expect(Set(fixture.categories.keys) == Set(Language.allCases.map(\.rawValue)))
        for language in Language.allCases {
            let expected = try #require(fixture.categories[language.rawValue])
            #expect(fixture.numbers.map { language.pluralCategory($0).rawValue } == expected, "\(language.rawValue)")
        }
    }

    @Test func languageTags() {
        #expect(Language(tag: "fr-CA") == .french)
        #expect(Language(tag: "EN") == .english)
        #expect(Language(tag: "de") == .german)
        #expect(Language(tag: "pt-PT") == .portuguese)
        #expect(Language(tag: "pt") == .portuguese)
        #expect(Language(tag: "pt-br") == .brazilianPortuguese)
        #expect(Language(tag: "zh-TW") == .traditionalChinese)
        #expect(Language(tag: "zh-Hant-HK") == .traditionalChinese)
        #expect(Language(tag: "zh-CN") == .simplifiedChinese)
        #expect(Language(tag: "zh") == .simplifiedChinese)
        #expect(Language(tag: "sr-Cyrl-RS") == .serbianLatin)
        #expect(Language(tag: "iw") == .hebrew)
        #expect(Language(tag: "no") == .norwegianBokmal)
        for tag in ["", "x", "-", "xx", "klingon", "*", "fr_FR", "é"] { #expect(Language(tag: tag) == nil, "\(tag)") }
        for language in Language.allCases { #expect(Language(tag: language.rawValue) == language) }
    }

    /// Voice calls in a language no voice speaks are in English, so the caller hears words a voice can read.
    @Test func voiceCallsSpeakALanguageAVoiceHas() throws {
        #expect(Language.german.spokenLanguage == .german && Language.german.speechTag == "de-DE")
        #expect(Language.croatian.spokenLanguage == .english)
        let code = try #require(VerificationCode("123456"))
        let croatian = MessageComposer.verificationCode(code, channel: .voice, to: "+385911234567", organisation: "Contoso", language: .croatian)
        #expect(croatian.language == .english && croatian.text.hasPrefix("Hello."))
        let german = MessageComposer.verificationCode(code, channel: .voice, to: "+4915112345678", organisation: "Contoso", language: .german)
        #expect(german.language == .german && german.text != croatian.text)
    }
}

@Suite struct AuditTests {
    @Test func activityNamesAreTheSpecs() {
        #expect(AuditActivity.blocked.rawValue == "Blocked from self-service password reset")
        #expect(AuditActivity.changePassword.rawValue == "Change password (self-service)")
        #expect(AuditActivity.adminResetPassword.rawValue == "Reset password (by admin)")
        #expect(AuditActivity.selfServiceResetPassword.rawValue == "Reset password (self-service)")
        #expect(AuditActivity.resetFlowProgress.rawValue == "Self-service password reset flow activity progress")
        #expect(AuditActivity.selfServiceUnlock.rawValue == "Unlock user account (self-service)")
        #expect(AuditActivity.registered.rawValue == "User registered for self-service password reset")
        #expect(AuditActivity.policyChange.rawValue == "Self-service password reset policy changes")
    }

    @Test func detailsRoundTripAndCarryTheirResult() throws {
        #expect(Set(ResetDetail.allCases.map(\.code)).count == ResetDetail.allCases.count, "codes are unique")
        #expect(ResetDetail.allCases.count == 19 + 4 * VerificationOption.allCases.count, "each option has its four details")
        for detail in ResetDetail.allCases {
            #expect(ResetDetail(code: detail.code) == detail, "\(detail.code)")
            let encoded = try JSONEncoder().encode([detail])
            #expect(try JSONDecoder().decode([ResetDetail].self, from: encoded) == [detail])
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([ResetDetail].self, from: Data("[\"nonsense\"]".utf8)) }
        #expect(ResetDetail(code: "blockedInvalidCodes.pigeon") == nil)
        #expect(ResetDetail.blockedInvalidCodes(.mobileSMS).result == .blocked)
        #expect(ResetDetail.contactedAdminAfterOption(.email).result == .contactedAdmin)
        #expect(ResetDetail.cancelledBeforeNewPassword.result == .cancelled)
        #expect(ResetDetail.abandonedAfterUserID.result == .abandoned)
        #expect(ResetDetail.notInGroup.result == .failed)
        #expect(ResetDetail.succeeded.result == .succeeded)
        #expect(Set(ResetDetail.allCases.map(\.result)) == Set(ResetResult.allCases))
    }

    @Test func detailTextsAreTheSpecs() {
        #expect(ResetDetail.blockedInvalidCodes(.mobileSMS).text.description == "User entered too many invalid SMS verification codes and is blocked for 24 hours")
        #expect(ResetDetail.abandonedAfterCompletingOption(.email).text.description == "User abandoned after completing the email verification option")
        #expect(ResetDetail.abandonedAfterStartingOption(.securityQuestions).text.description == "User abandoned after starting the security questions option")
        #expect(ResetDetail.contactedAdminAfterOption(.mobileVoice).text.description == "User contacted an admin after trying the mobile voice call verification option")
        #expect(ResetDetail.succeeded.text.description == "User successfully reset password")
        #expect(ResetDetail.abandonedAfterCompletingOption(.email).text.rendered(in: .french) == "L’utilisateur a abandonné après avoir terminé l’option de vérification par e-mail")
    }
}
