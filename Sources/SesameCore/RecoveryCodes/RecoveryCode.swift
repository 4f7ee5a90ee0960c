/// One saved recovery code (docs/behaviour.md#recovery-codes): 16 symbols of Crockford's Base32, shown as four groups
/// of four. The first symbol is the code's slot in its set (0–9), which is not secret and tells which stored hash to
/// compare, so that checking a typed code costs one Argon2id computation (docs/security.md#recovery-codes); the other
/// 15 are random, 75 bits.
public struct RecoveryCode: Sendable, Hashable, CustomStringConvertible {
    /// How many codes a set holds, one per slot.
    public static let setSize = 10
    static let randomSymbols = 15
    static let length = randomSymbols + 1
    /// Crockford's Base32: no I, L, O or U, so that what is typed back cannot be misread.
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// Redacted, so that a code never reaches a log by accident (docs/security.md#recovery-codes).
    public var description: String { "RecoveryCode(redacted)" }
    /// Longer input is refused before it is looked at: no code is this long even with every separator doubled.
    static let maximumTyped = 64

    /// The slot in the set, 0–9.
    public let slot: Int
    /// The 16 symbols in upper case without separators: what is hashed and what is compared.
    public let canonical: String

    /// A new code for `slot` (below ``setSize``), its random part from `random`.
    init(slot: Int, random: any RandomSource) {
        self.slot = slot
        let symbols = (0..<Self.randomSymbols).map { _ in Self.alphabet[Int(random.uniform(below: UInt32(Self.alphabet.count)))] }
        canonical = String(slot) + String(symbols)
    }

    /// A typed code as Crockford reads it: case ignored, spaces and dashes skipped, O read as 0 and I or L as 1.
    /// `nil` when it cannot be a code (length, symbols, or a slot outside the set).
    public init?(typed: String) {
        guard typed.utf8.count <= Self.maximumTyped else { return nil }
        var symbols: [Character] = []
        for character in typed {
            if Self.separators.contains(character) { continue }
            guard let symbol = Self.symbol(character) else { return nil }
            symbols.append(symbol)
        }
        guard symbols.count == Self.length, let first = symbols.first?.wholeNumberValue, first < Self.setSize else { return nil }
        slot = first
        canonical = String(symbols)
    }

    /// The code as shown and printed: four groups of four.
    public var grouped: String {
        stride(from: 0, to: canonical.count, by: 4).map { start in
            String(canonical.dropFirst(start).prefix(4))
        }.joined(separator: "-")
    }

    /// What a person may type between groups: spaces, hyphens and the dashes a word processor puts instead.
    static let separators: Set<Character> = [" ", "-", "\t", "\u{00A0}", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}"]

    /// The symbol a typed character stands for, as Crockford decodes: `nil` for one that is none.
    static func symbol(_ character: Character) -> Character? {
        guard character.isASCII, let upper = character.uppercased().first else { return nil }
        switch upper {
        case "O": return "0"
        case "I", "L": return "1"
        default: return alphabet.contains(upper) ? upper : nil
        }
    }

    /// A new set: one code per slot, so the codes differ in their first symbol whatever the random part.
    public static func newSet(using random: any RandomSource) -> [RecoveryCode] {
        (0..<setSize).map { RecoveryCode(slot: $0, random: random) }
    }
}
