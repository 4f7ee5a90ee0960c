import SesameCore
import SesameTestSupport
import Testing

@Suite struct RecoveryCodeTests {
    static let alphabet = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    @Test func aSetIsTenDistinctCodesOfSixteenSymbolsTheFirstTheirSlot() {
        let set = RecoveryCode.newSet(using: SeededRandomSource(seed: 1))
        #expect(set.count == 10)
        #expect(Set(set.map(\.canonical)).count == 10)
        #expect(set.map(\.slot) == Array(0..<10))
        for code in set {
            #expect(code.canonical.count == 16)
            #expect(code.canonical.allSatisfy(Self.alphabet.contains))
            #expect(code.canonical.first == Character(String(code.slot)))
            #expect(code.grouped.wholeMatch(of: /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/) != nil)
        }
    }

    /// 15 random symbols of 32 = 75 bits, at least the 64 of docs/security.md#recovery-codes; every symbol is drawn,
    /// so two sets from different random sources share no random part.
    @Test func theRandomPartIsSeventyFiveBitsFromTheRandomSource() {
        let first = RecoveryCode.newSet(using: SeededRandomSource(seed: 1))
        let second = RecoveryCode.newSet(using: SeededRandomSource(seed: 2))
        #expect(15 * 5 >= 64)
        #expect(Set(first.map { $0.canonical.dropFirst() }).isDisjoint(with: second.map { $0.canonical.dropFirst() }))
        let symbols = first.flatMap { $0.canonical.dropFirst() }
        #expect(Set(symbols).count > 20, "the symbols spread over the alphabet")
        #expect(RecoveryCode.newSet(using: SeededRandomSource(seed: 1)) == first, "drawn from the injected source alone")
    }

    @Test(arguments: [
        "3ABC-DEFG-HJKM-NPQR", "3abc-defg-hjkm-npqr", "3ABCDEFGHJKMNPQR", " 3ABC DEFG HJKM NPQR ", "3abc–defg—hjkm‑npqr",
    ])
    func aCodeMayBeTypedWithOrWithoutSeparatorsInAnyCase(_ typed: String) throws {
        let code = try #require(RecoveryCode(typed: typed))
        #expect(code.canonical == "3ABCDEFGHJKMNPQR" && code.slot == 3)
    }

    @Test func theConfusionsCrockfordForgivesAreForgiven() throws {
        #expect(RecoveryCode(typed: "O1IL-oilO-0000-1111")?.canonical == "0111011000001111")
        #expect(RecoveryCode(typed: "o000-0000-0000-0000")?.slot == 0)
    }

    @Test(arguments: [
        "", "3ABC-DEFG-HJKM-NPQ", "3ABC-DEFG-HJKM-NPQRS", "AABC-DEFG-HJKM-NPQR", "3ABC-DEFG-HJKM-NPQU", "3ABC_DEFG_HJKM_NPQR",
        "3ABC-DEFG-HJKM-NPQ٣", "３ABC-DEFG-HJKM-NPQR", String(repeating: "-", count: 60) + "3ABCDEFGHJKMNPQR",
    ])
    func whatCannotBeACodeIsRefused(_ typed: String) {
        #expect(RecoveryCode(typed: typed) == nil)
    }

    @Test func aGroupedCodeReadsBackAsItself() throws {
        for code in RecoveryCode.newSet(using: SeededRandomSource(seed: 5)) {
            #expect(RecoveryCode(typed: code.grouped) == code)
            #expect(RecoveryCode(typed: code.grouped.lowercased()) == code)
        }
    }
}
