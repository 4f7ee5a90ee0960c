import SesameArgon2
import Testing

@testable import SesameCore

@Suite struct PasswordPolicyTests {
    let contoso = PasswordContext(givenName: "Alice", surname: "Martin", organisationName: "Contoso")
    let engine = PasswordPolicyEngine(customBannedTerms: ["blank"])

    /// The two examples of docs/behaviour.md#passwords (Entra's), with "Contoso" the organisation and "blank" on the
    /// custom list.
    @Test func specExamples() {
        #expect(engine.score("C0ntos0Blank12", context: contoso) == 4)
        #expect(engine.check("C0ntos0Blank12", context: contoso) == [.blockedByAdministrator])
        #expect(engine.score("ContoS0Bl@nkf9!", context: contoso) == 5)
        #expect(engine.check("ContoS0Bl@nkf9!", context: contoso) == [])
    }

    @Test func theGlobalListHoldsTheMostCommonPasswords() {
        #expect(CommonPasswords.all.count >= 1_000)
        #expect(Array(CommonPasswords.all.prefix(3)) == ["123456", "password", "12345678"])
        #expect(BannedTermIndex.common.count >= 1_000)
    }

    @Test(arguments: ["Password1!", "P@ssw0rd!", "Qwerty123!", "Iloveyou1!", "Monkey12!"])
    func commonPasswordsAndTheirVariantsAreRefused(_ password: String) {
        let rejections = engine.check(password, context: PasswordContext())
        #expect(rejections.contains(.commonPassword) || rejections.contains(.easilyGuessable), "\(password): \(rejections)")
    }

    @Test func fuzzyMatchWithinOneEdit() {
        let custom = PasswordPolicyEngine(customBannedTerms: ["fabrikam"])
        // Substitution, deletion and insertion of one character all still match the banned term.
        for password in ["Fabrikan!9", "Fabrkam!9x", "Fabriikam!9"] {
            #expect(custom.check(password, context: PasswordContext()) == [.blockedByAdministrator], "\(password)")
        }
        #expect(custom.check("Fobrokom!9x2", context: PasswordContext()) == [], "two edits away is a different word")
    }

    @Test func namesAreSubstringMatched() {
        let person = PasswordContext(givenName: "Xavierre", surname: "Bloggsworth", organisationName: "Contoso")
        #expect(engine.check("Xavierre+Bl0ggsworth7", context: person) == [.easilyGuessable])
        #expect(engine.check("Xavierre+Bl0ggsworth7", context: PasswordContext()) == [])
        // Common first names are on the global list whoever types them.
        #expect(engine.check("AliceMartin#1", context: PasswordContext()) == [.easilyGuessable])
        // Names shorter than four characters are not banned terms.
        #expect(engine.score("Bob-Zq8#Lw", context: PasswordContext(givenName: "Bob")) == 10)
    }

    @Test func shapeRules() {
        #expect(engine.check("Ab1!xyz", context: PasswordContext()) == [.tooShort])
        #expect(engine.check(String(repeating: "Ab1!", count: 65), context: PasswordContext()) == [.tooLong])
        // Too long is all that is said of a long password: the banned-password search is not run on 64 KB typed
        // into a form (it once took seconds of a core).
        #expect(engine.check(String(repeating: "password", count: 8_192), context: PasswordContext()) == [.tooLong])
        #expect(engine.check("zqxwvtsr9q", context: PasswordContext()) == [.notEnoughCharacterClasses])
        #expect(engine.check("Zq8 Lw4 Vr2", context: PasswordContext()) == [])
        #expect(engine.check("Mötley-Crüe-7", context: PasswordContext()) == [.invalidCharacters])
        #expect(engine.check("", context: PasswordContext()).contains(.tooShort))
    }

    @Test func characterClasses() {
        #expect(engine.characterClasses("abc") == 1)
        #expect(engine.characterClasses("aB3") == 3)
        #expect(engine.characterClasses("aB3 ") == 4)
        #expect(engine.characterClasses("<>") == 1)
    }

    @Test func changeMayNotReuseTheCurrentPassword() async throws {
        let hasher = Argon2idHasher(parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 1))
        let current = try await hasher.hash("Zq8#Lw4!Vr2k")
        let same = await engine.checkChange("Zq8#Lw4!Vr2k", context: PasswordContext(), currentHash: current, hasher: hasher)
        #expect(same == [.sameAsCurrent])
        let other = await engine.checkChange("Yt7$Mx3!Ps9j", context: PasswordContext(), currentHash: current, hasher: hasher)
        #expect(other == [])
    }

    @Test func everyRejectionHasAMessageInBothLanguages() {
        for rejection in PasswordRejection.allCases {
            let message = rejection.message(rules: .default)
            for language in Language.allCases {
                let text = message.rendered(in: language)
                #expect(!text.contains("{") && text != message.key, "\(rejection) \(language)")
            }
        }
        #expect(PasswordRejection.tooShort.message(rules: .default).rendered(in: .french) == "Votre mot de passe doit comporter au moins 8 caractères.")
        #expect(PasswordRejection.easilyGuessable.auditReason == "FuzzyPolicyViolationInvalidPassword")
    }
}
