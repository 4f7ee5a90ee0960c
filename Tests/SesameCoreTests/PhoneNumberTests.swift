import Foundation
import Testing

@testable import SesameCore

@Suite struct PhoneNumberTests {
    @Test func nationalNumberWithTrunkPrefixAndSeparators() throws {
        let phone = try PhoneNumber(callingCode: 33, number: "06 12-34.56 78")
        #expect(phone.e164 == "+33612345678")
        #expect(phone.nationalNumber == "612345678")
        #expect(phone.description == "+33 612345678")
    }

    @Test(arguments: ["+33 6 12 34 56 78", "0033 6 12 34 56 78", "+33612345678", "+33 (0)6 12 34 56 78"])
    func internationalForms(_ text: String) throws {
        #expect(try PhoneNumber(international: text).e164 == "+33612345678")
    }

    @Test(arguments: ["+33 6 12 34 56 78 x1234", "+33 6 12 34 56 78 X12345", "+33 6 12 34 56 78 ext. 12", "+33 6 12 34 56 78;ext=9", "+33 6 12 34 56 78 #77"])
    func extensionsAreStripped(_ text: String) throws {
        #expect(try PhoneNumber(international: text).e164 == "+33612345678")
    }

    @Test func northAmericanNumbers() throws {
        #expect(try PhoneNumber(callingCode: 1, number: "(425) 555-1234").e164 == "+14255551234")
        #expect(try PhoneNumber(international: "+1 425 555 1234").e164 == "+14255551234")
        #expect(try PhoneNumber(callingCode: 1, number: "1 425 555 1234").e164 == "+14255551234")
    }

    @Test func italianNumbersKeepTheirLeadingZero() throws {
        #expect(try PhoneNumber(international: "+39 06 1234 5678").e164 == "+390612345678")
    }

    @Test func masking() throws {
        #expect(try PhoneNumber(international: "+33 6 12 34 56 78").masked == "+33 6•• •• •• 78")
        #expect(try PhoneNumber(international: "+1 425 555 1234").masked == "+1 4• •• •• •• 34")
    }

    @Test(arguments: [
        ("+33 6 12 AB 56 78", "phone.characters"),
        ("+999 123456", "phone.unknownCountryCode"),
        ("+33 6 12", "phone.tooShort"),
        ("+33 6 12 34 56 78 90 12", "phone.tooLong"),
        ("06 12 34 56 78", "phone.needsCountryCode"),
        ("+", "phone.empty"),
        ("+1 025 555 1234", "phone.invalidForCountry"),
    ])
    func malformedNumbersAreRefusedWithAReason(_ text: String, _ key: String) {
        do {
            _ = try PhoneNumber(international: text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.message.key == key, "\(text)")
        }
    }

    @Test func chosenCountryMustMatchATypedInternationalPrefix() {
        #expect(throws: ValidationError.self) { try PhoneNumber(callingCode: 44, number: "+33 6 12 34 56 78") }
    }

    @Test func unknownCallingCodeIsNamed() {
        do {
            _ = try PhoneNumber(callingCode: 999, number: "12345678")
            Issue.record("accepted")
        } catch {
            #expect(error.description == "+999 is not a country calling code")
        }
    }

    @Test func everyITUCallingCodeHasAPlanAndItsExampleValidates() throws {
        let codes = Set(NumberingPlan.all.map(\.callingCode))
        // ITU-T E.164 assigns about 215 geographic codes plus the non-geographic services.
        #expect(codes.count > 210)
        for code in [1, 7, 20, 33, 44, 49, 81, 86, 91, 212, 290, 376, 500, 672, 800, 870, 882, 979, 998] {
            #expect(codes.contains(code), "+\(code)")
        }
        for plan in NumberingPlan.all where !plan.exampleNumber.isEmpty {
            let phone = try PhoneNumber(callingCode: plan.callingCode, number: plan.exampleNumber)
            #expect(phone.nationalNumber == plan.exampleNumber, "\(plan.region) +\(plan.callingCode)")
        }
    }

    @Test func countryNamesInEveryLanguage() throws {
        let germany = try #require(NumberingPlan.regions.first { $0.region == "DE" })
        #expect(germany.name(in: .english) == "Germany")
        #expect(germany.name(in: .french) == "Allemagne")
        #expect(germany.name(in: .japanese) == "ドイツ")
        for language in Language.allCases {
            #expect(NumberingPlan.regions.allSatisfy { Catalogue.core.table(language)[$0.nameKey] != nil }, "\(language)")
        }
    }

    /// A number refused for its country names the country in the reader's language; a code several countries share
    /// is named by the code.
    @Test func refusalsNameTheCountryInTheReadersLanguage() {
        do {
            _ = try PhoneNumber(international: "+33 6")
            Issue.record("a short number was accepted")
        } catch {
            #expect(error.rendered(in: .english) == "this number is too short for France")
            #expect(error.rendered(in: .german) == Catalogue.core.render(LocalizedText("phone.tooShort", ["country": "Frankreich"]), in: .german))
            #expect(error.on("mobilePhone").rendered(in: .german).contains("Frankreich"), "the field keeps the country")
        }
        do {
            _ = try PhoneNumber(international: "+1 212")
            Issue.record("a short number was accepted")
        } catch {
            #expect(error.rendered(in: .german).contains("+1"))
        }
    }

    @Test func codableAsE164() throws {
        let phone = try PhoneNumber(international: "+44 20 7946 0958")
        let data = try JSONEncoder().encode([phone])
        #expect(String(decoding: data, as: UTF8.self) == "[\"+442079460958\"]")
        #expect(try JSONDecoder().decode([PhoneNumber].self, from: data) == [phone])
    }
}
