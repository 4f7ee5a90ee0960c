import Foundation
import SesameTestSupport
import Testing

@testable import SesameCore

/// `PhonePattern` against Swift's `Regex`, which the numbering plans were matched with before: on every plan's
/// patterns, with numbers drawn from each pattern and near misses made from them.
@Suite struct PhonePatternTests {
    static let patterns: [String] = Array(Set(NumberingPlan.all.flatMap { [$0.pattern, $0.mobilePattern, $0.fixedLinePattern] }
        .filter { !$0.isEmpty })).sorted()

    @Test func everyPlansPatternIsRead() {
        let unread = Self.patterns.filter { PhonePattern($0) == nil }
        #expect(unread.isEmpty, "patterns PhonePattern cannot read: \(unread)")
        #expect(Self.patterns.count > 500)
    }

    @Test func agreesWithRegexOnEveryPlansPattern() throws {
        var draws = SeededDraws(seed: 0x5E5A_3E00)
        var compared = 0, matched = 0
        for pattern in Self.patterns {
            let compiled = try #require(PhonePattern(pattern))
            let regex = try Regex(pattern)
            for text in Self.candidates(for: compiled, using: &draws) {
                let expected = (try regex.wholeMatch(in: text)) != nil
                #expect(compiled.matchesWhole(text) == expected, "\(pattern) on \(text)")
                compared += 1
                if expected { matched += 1 }
            }
        }
        // Both answers were met often: the comparison is not all misses.
        #expect(matched > compared / 4 && matched < compared * 3 / 4, "\(matched) of \(compared) matched")
    }

    /// Numbers the pattern matches, drawn from it, each with its near misses: one digit changed, one dropped, one
    /// added; and digits drawn at random.
    static func candidates(for pattern: PhonePattern, using draws: inout SeededDraws) -> [String] {
        var texts: [String] = []
        for _ in 0..<6 {
            let drawn = Array(draw(pattern.root, using: &draws))
            texts.append(String(drawn))
            guard let position = drawn.indices.randomElement(using: &draws) else { continue }
            var changed = drawn
            changed[position] = Character(String(Int.random(in: 0...9, using: &draws)))
            texts.append(String(changed))
            texts.append(String(drawn.prefix(position) + drawn.dropFirst(position + 1)))
            texts.append(String(drawn) + String(Int.random(in: 0...9, using: &draws)))
        }
        for _ in 0..<4 {
            texts.append(String((0..<Int.random(in: 0...16, using: &draws)).map { _ in Character(String(Int.random(in: 0...9, using: &draws))) }))
        }
        return texts
    }

    static func draw(_ node: PhonePattern.Node, using draws: inout SeededDraws) -> String {
        switch node.kind {
        case .digit(let accepted):
            let digits = (0...9).filter { accepted & (1 << $0) != 0 }
            return digits.randomElement(using: &draws).map(String.init) ?? ""
        case .sequence:
            return node.children.map { draw($0, using: &draws) }.joined()
        case .alternatives:
            return node.children.randomElement(using: &draws).map { draw($0, using: &draws) } ?? ""
        case .repeated(let minimum, let maximum):
            // One child, as the matcher reads it.
            guard let child = node.children.first else { return "" }
            return (0..<Int.random(in: minimum...maximum, using: &draws)).map { _ in draw(child, using: &draws) }.joined()
        }
    }

    @Test(arguments: ["\\w", "[a-z]", "(12)", "\\d{6}?", "[]", "[5-2]", "{3}", "(?:1", "1)", "\\d{99}", "\\d{4,2}", "[1-", "\\", "1|(?:2", "\\d*", "\\d+"])
    func refusesWhatItCannotRead(_ pattern: String) {
        #expect(PhonePattern(pattern) == nil)
    }

    @Test func matchesDigitsOnly() throws {
        let pattern = try #require(PhonePattern("6\\d{8}"))
        #expect(pattern.matchesWhole("612345678"))
        #expect(!pattern.matchesWhole("61234567"))
        #expect(!pattern.matchesWhole("6123456789"))
        #expect(!pattern.matchesWhole("61234567a"))
        // Arabic-Indic digits are digits to `Regex`'s `\d`, but not to a national number.
        #expect(!pattern.matchesWhole("6١٢٣٤٥٦٧٨"))
        #expect(!(try #require(PhonePattern("\\d{0,63}"))).matchesWhole(String(repeating: "1", count: 64)))
        #expect(try #require(PhonePattern("\\d{0,63}")).matchesWhole(String(repeating: "1", count: 63)))
    }
}
