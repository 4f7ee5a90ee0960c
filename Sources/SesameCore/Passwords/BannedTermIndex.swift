/// Banned terms, indexed for finding every stretch of a password within edit distance 1 of one of them.
///
/// Terms are stored normalised (``PasswordNormalizer``). Besides each term, the index keeps every variant with one
/// character deleted, tagged with the position deleted ("symmetric delete"): a stretch `s` is one substitution away
/// from a term when both lose the same position to the same variant, one deletion away when `s` is itself a
/// variant, and one insertion away when a variant of `s` is a term. Look-ups therefore cost a few searches by halves,
/// each growing with the logarithm of the list's size.
///
/// Terms are 4 to 16 bytes (the custom list's limit, docs/behaviour.md#policy-keys), so each packs into a `UInt128` key
/// and a look-up allocates nothing. Normalised bytes are never 0, so the zero padding also records the length.
///
/// Both are sorted arrays searched by halves rather than hash tables: the global list's 10,000 terms and their
/// variants take 1.2 MiB rather than 2.6 MiB (docs/security.md#the-banned-term-index).
public struct BannedTermIndex: Sendable {
    /// How a stretch of the password matched a term.
    enum Edit {
        case none, substitution, deletion, insertion
    }

    /// Terms shorter than this are not matched: short fuzzy matches would ban most passwords.
    static let minimumLength = 4
    static let maximumLength = 16

    /// The terms, sorted, each once.
    private let terms: [UInt128]
    /// Each one-deletion variant shifted up a byte, with the position deleted in that byte, sorted, each once: a
    /// variant has at most 15 bytes, so both fit, and a variant's entries lie together.
    private let variants: [UInt128]
    let longestTerm: Int

    public init(_ list: [String]) {
        var terms: [(key: UInt128, length: Int)] = []
        terms.reserveCapacity(list.count)
        for term in list {
            let normalized = PasswordNormalizer.normalize(term)
            guard (Self.minimumLength...Self.maximumLength).contains(normalized.count), let key = Self.pack(normalized[...]) else {
                continue
            }
            terms.append((key, normalized.count))
        }
        // Reserved whole rather than grown by doubling: the global list is built at the first password checked.
        var variants: [UInt128] = []
        variants.reserveCapacity(terms.reduce(0) { $0 + $1.length })
        for term in terms {
            for position in 0..<term.length { variants.append(Self.deleting(position, from: term.key) << 8 | UInt128(position)) }
        }
        var keys = terms.map(\.key)
        Self.sortOnce(&keys)
        Self.sortOnce(&variants)
        self.terms = keys
        self.variants = variants
        longestTerm = terms.map(\.length).max() ?? 0
    }

    /// The global list, built once: the most common leaked passwords.
    public static let common = BannedTermIndex(CommonPasswords.all)

    public var count: Int { terms.count }

    /// How `stretch` matches a term within one edit, if it does.
    func match(_ stretch: ArraySlice<UInt8>) -> Edit? {
        guard stretch.count <= Self.maximumLength + 1 else { return nil }
        if let key = Self.pack(stretch) {
            if Self.contains(key, in: terms) { return Edit.none }
            if hasVariant(key) { return .deletion }
            for position in 0..<stretch.count
            where Self.contains(Self.deleting(position, from: key) << 8 | UInt128(position), in: variants) {
                return .substitution
            }
        }
        // A term with one character inserted: delete each position and look for the term itself.
        guard stretch.count > Self.minimumLength else { return nil }
        for position in 0..<stretch.count {
            if let key = Self.pack(stretch, skipping: position), Self.contains(key, in: terms) { return .insertion }
        }
        return nil
    }

    /// Whether some term loses one position to `variant`. A key of 16 bytes is none: the shift loses its top byte, and
    /// no entry shifted back down equals it.
    private func hasVariant(_ variant: UInt128) -> Bool {
        let index = Self.firstIndex(notBelow: variant << 8, in: variants)
        return index < variants.endIndex && variants[index] >> 8 == variant
    }

    static func contains(_ key: UInt128, in sorted: [UInt128]) -> Bool {
        let index = firstIndex(notBelow: key, in: sorted)
        return index < sorted.endIndex && sorted[index] == key
    }

    /// The first index whose key is `key` or above, by halves.
    static func firstIndex(notBelow key: UInt128, in sorted: [UInt128]) -> Int {
        var low = sorted.startIndex
        var high = sorted.endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if sorted[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Sorts the keys in place and drops repeats.
    private static func sortOnce(_ keys: inout [UInt128]) {
        keys.sort()
        var kept = 0
        for index in keys.indices where kept == 0 || keys[kept - 1] != keys[index] {
            keys[kept] = keys[index]
            kept += 1
        }
        keys.removeLast(keys.count - kept)
    }

    /// Packs up to 16 bytes, lowest byte first, leaving out the byte at `skipping`; `nil` if too long.
    static func pack(_ bytes: ArraySlice<UInt8>, skipping: Int? = nil) -> UInt128? {
        guard bytes.count - (skipping == nil ? 0 : 1) <= maximumLength else { return nil }
        var key: UInt128 = 0
        var shift: UInt128 = 0
        for (offset, byte) in bytes.enumerated() where offset != skipping {
            key |= UInt128(byte) << shift
            shift += 8
        }
        return key
    }

    /// The key with the byte at `position` removed and the bytes above it moved down.
    static func deleting(_ position: Int, from key: UInt128) -> UInt128 {
        let shift = UInt128(8 * position)
        let low = key & ((1 << shift) - 1)
        let high = (key >> (shift + 8)) << shift
        return low | high
    }
}

/// The banned-password normalisation: lower case, then the common substitutions `0→o`, `1→l`, `$→s`, `@→a`
/// (docs/behaviour.md#passwords).
public enum PasswordNormalizer {
    static let substitutions: [UInt8: UInt8] = [
        UInt8(ascii: "0"): UInt8(ascii: "o"), UInt8(ascii: "1"): UInt8(ascii: "l"),
        UInt8(ascii: "$"): UInt8(ascii: "s"), UInt8(ascii: "@"): UInt8(ascii: "a"),
    ]

    public static func normalize(_ text: String) -> [UInt8] {
        text.lowercased().utf8.map { substitutions[$0] ?? $0 }
    }
}
