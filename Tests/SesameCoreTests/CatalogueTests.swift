import Foundation
import Testing

@testable import SesameCore

@Suite struct CatalogueTests {
    @Test func frenchAndEnglishHaveTheSameKeysAndPlaceholders() {
        let english = Catalogue.english
        let french = Catalogue.french
        #expect(Set(english.keys) == Set(french.keys), "missing: \(Set(english.keys).symmetricDifference(french.keys))")
        for (key, text) in english {
            #expect(Catalogue.placeholders(in: text) == Catalogue.placeholders(in: french[key] ?? ""), "\(key)")
        }
    }

    @Test func everyKeyTheCoreUsesExists() {
        var keys = PasswordRejection.allCases.map { $0.message(rules: .default).key }
        keys += VerificationOption.allCases.map { $0.label.key }
        keys += ResetResult.allCases.map { "report.result.\($0)" }
        keys += AuthenticationMethod.allCases.map { "report.method.\($0.rawValue)" }
        for key in keys { #expect(Catalogue.english[key] != nil, "\(key)") }
        for detail in ResetDetail.allCases {
            for language in Language.allCases {
                let text = detail.text.rendered(in: language)
                #expect(!text.hasPrefix("detail.") && !text.contains("{"), "\(detail.code) in \(language): \(text)")
            }
        }
    }

    @Test func fillsNamedPlaceholders() {
        #expect(Catalogue.fill("{a} and {b}, {a}", with: ["a": "x", "b": "y"]) == "x and y, x")
        #expect(Catalogue.fill("{unknown} stays", with: ["a": "x"]) == "{unknown} stays")
        #expect(Catalogue.fill("open { brace", with: ["a": "x"]) == "open { brace")
        #expect(LocalizedText("not.a.key").rendered(in: .french) == "not.a.key")
    }

    @Test func languageTags() {
        #expect(Language(tag: "fr-CA") == .french)
        #expect(Language(tag: "EN") == .english)
        #expect(Language(tag: "de") == nil)
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
        #expect(ResetDetail.allCases.count == 43)
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
