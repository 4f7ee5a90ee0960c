/// Banned terms, indexed for finding every stretch of a password within edit distance 1 of one of them.
///
/// Terms are stored normalised (``PasswordNormalizer``). Besides each term, the index keeps every variant with one
/// character deleted, tagged with the position deleted ("symmetric delete"): a stretch `s` is one substitution away
/// from a term when both lose the same position to the same variant, one deletion away when `s` is itself a
/// variant, and one insertion away when a variant of `s` is a term. Look-ups therefore cost a few hash probes
/// whatever the size of the list.
public struct BannedTermIndex: Sendable {
    /// How a stretch of the password matched a term.
    enum Edit {
        case none, substitution, deletion, insertion
    }

    /// Terms shorter than this are not matched: short fuzzy matches would ban most passwords.
    static let minimumLength = 4

    private var terms: Set<[UInt8]> = []
    /// For each one-deletion variant, the positions deleted to reach it from some term.
    private var variants: [[UInt8]: Set<Int>] = [:]
    private(set) var longestTerm = 0

    public init(_ list: [String]) {
        for term in list {
            let normalized = PasswordNormalizer.normalize(term)
            guard normalized.count >= Self.minimumLength else { continue }
            terms.insert(normalized)
            longestTerm = max(longestTerm, normalized.count)
            for position in normalized.indices {
                var variant = normalized
                variant.remove(at: position)
                variants[variant, default: []].insert(position)
            }
        }
    }

    /// The global list, built once: the most common leaked passwords.
    public static let common = BannedTermIndex(CommonPasswords.all)

    public var count: Int { terms.count }

    /// How `stretch` matches a term within one edit, if it does.
    func match(_ stretch: ArraySlice<UInt8>) -> Edit? {
        let candidate = Array(stretch)
        if terms.contains(candidate) { return Edit.none }
        if variants[candidate] != nil { return .deletion }
        for position in candidate.indices {
            var variant = candidate
            variant.remove(at: position)
            if variants[variant]?.contains(position) == true { return .substitution }
            if variant.count >= Self.minimumLength, terms.contains(variant) { return .insertion }
        }
        return nil
    }
}

/// Spec §4.7 step 1: lower case, then the common substitutions `0→o`, `1→l`, `$→s`, `@→a`.
public enum PasswordNormalizer {
    static let substitutions: [UInt8: UInt8] = [
        UInt8(ascii: "0"): UInt8(ascii: "o"), UInt8(ascii: "1"): UInt8(ascii: "l"),
        UInt8(ascii: "$"): UInt8(ascii: "s"), UInt8(ascii: "@"): UInt8(ascii: "a"),
    ]

    public static func normalize(_ text: String) -> [UInt8] {
        text.lowercased().utf8.map { substitutions[$0] ?? $0 }
    }
}
