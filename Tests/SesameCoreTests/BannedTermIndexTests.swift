import Testing

@testable import SesameCore

/// The index's answers against a plain reading of "within one edit", on every short stretch over a small alphabet.
@Suite struct BannedTermIndexTests {
    /// Terms of 4 to 16 bytes that share prefixes, suffixes and one-deletion variants with each other.
    static let terms = ["abca", "abcab", "bcab", "aabb", "abababababababab", "cabababababababa", "ccccccccccccccc"]
    let index = BannedTermIndex(terms)

    /// What `match` should say, from the definitions: the term itself, the stretch with one byte deleted from a term
    /// (`deletion`), one byte of a term changed (`substitution`), one byte added to a term (`insertion`).
    static func expected(_ stretch: [UInt8]) -> BannedTermIndex.Edit? {
        let terms = Self.terms.map { Array($0.utf8) }
        func deleting(_ position: Int, from bytes: [UInt8]) -> [UInt8] {
            Array(bytes[..<position] + bytes[(position + 1)...])
        }
        if terms.contains(stretch) { return BannedTermIndex.Edit.none }
        if terms.contains(where: { term in term.indices.contains { deleting($0, from: term) == stretch } }) { return .deletion }
        if terms.contains(where: { term in
            term.count == stretch.count && zip(term, stretch).filter { $0 != $1 }.count == 1
        }) {
            return .substitution
        }
        guard stretch.count > BannedTermIndex.minimumLength else { return nil }
        if stretch.indices.contains(where: { terms.contains(deleting($0, from: stretch)) }) { return .insertion }
        return nil
    }

    @Test func everyShortStretchMatchesAsTheDefinitionsSay() {
        var stretches: [[UInt8]] = [[]]
        var checked = 0
        for _ in 1...6 {
            stretches = stretches.flatMap { stretch in Array("abc".utf8).map { stretch + [$0] } }
            for stretch in stretches {
                #expect(index.match(stretch[...]) == Self.expected(stretch), "\(String(decoding: stretch, as: UTF8.self))")
                checked += 1
            }
        }
        #expect(checked == 1_092)
    }

    @Test func longStretchesMatchAsTheDefinitionsSay() {
        let stretches = Self.terms.map { Array($0.utf8) }.flatMap { term in
            [term, term + [UInt8(ascii: "c")], [UInt8(ascii: "c")] + term, Array(term.dropLast()), Array(term.dropFirst()),
             Array(term.dropLast()) + [UInt8(ascii: "z")], term + term]
        }
        for stretch in stretches {
            #expect(index.match(stretch[...]) == Self.expected(stretch), "\(String(decoding: stretch, as: UTF8.self))")
        }
    }

    /// As the policy passes them: stretches of a longer password, whose indices do not start at 0.
    @Test func stretchesOfAPasswordMatchAsTheirBytesDo() {
        let password = Array("xxabcabyy".utf8)
        #expect(index.match(password[2..<7]) == BannedTermIndex.Edit.none)
        #expect(index.match(password[2..<6]) == BannedTermIndex.Edit.none)
        #expect(index.match(password[3..<7]) == BannedTermIndex.Edit.none)
        #expect(index.match(password[1..<7]) == .insertion)
        #expect(index.match(password[0..<7]) == nil)
    }

    /// Normalised non-ASCII characters are bytes of 0x80 and above, up to a term's last byte.
    @Test func bytesAboveASCIIMatchLikeAnyOther() {
        let term = "ééééééé" + "a" + "é"  // 7 × 2 bytes + 1 + 2: 17 bytes, too long; the list keeps terms of 16 at most
        let kept = "éééééééa" + "\u{7F}"  // 16 bytes, the last of them 0x7F
        let index = BannedTermIndex([term, kept, "aéé" + "ü"])
        #expect(index.count == 2)
        let bytes = Array(kept.utf8)
        #expect(index.match(bytes[...]) == BannedTermIndex.Edit.none)
        #expect(index.match(bytes.dropLast()) == .deletion)
        #expect(index.match((bytes.dropLast() + [0xFF])[...]) == .substitution)
        #expect(index.match((bytes + [0xC3])[...]) == .insertion)
        let accented = Array("aééü".utf8)
        #expect(index.match(accented[...]) == BannedTermIndex.Edit.none)
        #expect(index.match((accented.dropLast(2) + Array("ö".utf8))[...]) == .substitution)
    }

    /// Each of the common passwords the list keeps matches itself, and each with a byte deleted is one deletion away.
    @Test func everyCommonTermAndItsDeletionsMatch() {
        let kept = Set(CommonPasswords.all.map(PasswordNormalizer.normalize).filter { (4...16).contains($0.count) })
        #expect(kept.count == BannedTermIndex.common.count)
        for term in kept {
            #expect(BannedTermIndex.common.match(term[...]) == BannedTermIndex.Edit.none)
            for position in term.indices where !kept.contains(Array(term[..<position] + term[(position + 1)...])) {
                #expect(BannedTermIndex.common.match((term[..<position] + term[(position + 1)...])[...]) == .deletion)
            }
        }
    }

    @Test func repeatedTermsAreKeptOnce() {
        #expect(BannedTermIndex(["abcd", "ABCD", "abcd", "abc", String(repeating: "a", count: 17)]).count == 1)
    }
}
