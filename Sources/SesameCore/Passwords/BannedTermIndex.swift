/// Banned terms, indexed for finding every stretch of a password within edit distance 1 of one of them.
///
/// Terms are stored normalised (``PasswordNormalizer``). Besides each term, the index keeps every variant with one
/// character deleted, tagged with the position deleted ("symmetric delete"): a stretch `s` is one substitution away
/// from a term when both lose the same position to the same variant, one deletion away when `s` is itself a
/// variant, and one insertion away when a variant of `s` is a term. Look-ups therefore cost a few hash probes
/// whatever the size of the list.
///
/// Terms are 4 to 16 bytes (the custom list's limit, docs/behaviour.md#policy-keys), so each packs into a `UInt128` key
/// and a look-up allocates nothing. Normalised bytes are never 0, so the zero padding also records the length.
public struct BannedTermIndex: Sendable {
    /// How a stretch of the password matched a term.
    enum Edit {
        case none, substitution, deletion, insertion
    }

    /// Terms shorter than this are not matched: short fuzzy matches would ban most passwords.
    static let minimumLength = 4
    static let maximumLength = 16

    private var terms: Set<UInt128> = []
    /// For each one-deletion variant, a bit for each position whose deletion from some term gives it.
    private var variants: [UInt128: UInt16] = [:]
    private(set) var longestTerm = 0

    public init(_ list: [String]) {
        for term in list {
            let normalized = PasswordNormalizer.normalize(term)
            guard (Self.minimumLength...Self.maximumLength).contains(normalized.count) else { continue }
            guard let key = Self.pack(normalized[...]) else { continue }
            terms.insert(key)
            longestTerm = max(longestTerm, normalized.count)
            for position in normalized.indices {
                variants[Self.deleting(position, from: key), default: 0] |= 1 << position
            }
        }
    }

    /// The global list, built once: the most common leaked passwords.
    public static let common = BannedTermIndex(CommonPasswords.all)

    public var count: Int { terms.count }

    /// How `stretch` matches a term within one edit, if it does.
    func match(_ stretch: ArraySlice<UInt8>) -> Edit? {
        guard stretch.count <= Self.maximumLength + 1 else { return nil }
        if let key = Self.pack(stretch) {
            if terms.contains(key) { return Edit.none }
            if variants[key] != nil { return .deletion }
            for position in 0..<stretch.count where variants[Self.deleting(position, from: key)].map({ $0 & (1 << position) != 0 }) == true {
                return .substitution
            }
        }
        // A term with one character inserted: delete each position and look for the term itself.
        guard stretch.count > Self.minimumLength else { return nil }
        for position in 0..<stretch.count {
            if let key = Self.pack(stretch, skipping: position), terms.contains(key) { return .insertion }
        }
        return nil
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
