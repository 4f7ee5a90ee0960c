/// A numbering plan's pattern, compiled to match strings of ASCII digits in whole (docs/scale.md#phone-patterns).
///
/// The plans' patterns use a small part of regular expressions: digits, `\d`, classes of digits and ranges
/// (`[2-4679]`), non-capturing groups `(?:…)`, alternation, `?`, `{n}` and `{n,m}`. Swift's `Regex` interpreted them
/// at a tenth of Sesame's processor time in a directory sync. Here a match follows every position the pattern can
/// have reached at once, as the bits of one word: it never backtracks, and takes time proportional to the pattern's
/// size (its repeats counted out) times the number's length.
struct PhonePattern: Sendable {
    /// A class rather than an indirect enum: LeakSanitizer does not follow the tagged pointers to an enum's boxes,
    /// and reported the patterns, compiled once and kept, as leaked (docs/security.md#fuzzing).
    final class Node: Sendable {
        enum Kind: Sendable {
            /// One digit, accepted when its bit is set (bit 0 for `0`).
            case digit(accepted: UInt16)
            case sequence, alternatives
            /// The one child, `minimum` to `maximum` times.
            case repeated(minimum: Int, maximum: Int)
        }

        let kind: Kind
        let children: [Node]

        init(_ kind: Kind, _ children: [Node] = []) {
            self.kind = kind
            self.children = children
        }
    }

    let root: Node

    /// The longest text a match follows: a position is a bit of a `UInt64`. E.164 numbers have 15 digits at most.
    static let longestText = 63

    /// Nil when the pattern uses anything beyond the part described above.
    init?(_ pattern: String) {
        var parser = PhonePatternParser(bytes: Array(pattern.utf8))
        guard let root = parser.alternatives(), parser.atEnd else { return nil }
        self.root = root
    }

    /// Whether the whole text matches; anything but ASCII digits does not.
    func matchesWhole(_ text: String) -> Bool {
        var digits: [UInt8] = []
        for byte in text.utf8 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), digits.count < Self.longestText else { return false }
            digits.append(byte - UInt8(ascii: "0"))
        }
        return Self.advance(root, from: 1, over: digits) & (UInt64(1) << digits.count) != 0
    }

    /// The positions the node can end at, from any of `positions` (bit `i`: `i` digits read).
    private static func advance(_ node: Node, from positions: UInt64, over digits: [UInt8]) -> UInt64 {
        guard positions != 0 else { return 0 }
        switch node.kind {
        case .digit(let accepted):
            var reached: UInt64 = 0
            var left = positions
            while left != 0 {
                let position = left.trailingZeroBitCount
                left &= left - 1
                if position < digits.count, accepted & (UInt16(1) << digits[position]) != 0 {
                    reached |= UInt64(1) << (position + 1)
                }
            }
            return reached
        case .sequence:
            return node.children.reduce(positions) { advance($1, from: $0, over: digits) }
        case .alternatives:
            return node.children.reduce(0) { $0 | advance($1, from: positions, over: digits) }
        case .repeated(let minimum, let maximum):
            guard let node = node.children.first else { return positions }
            var current = positions
            for _ in 0..<minimum { current = advance(node, from: current, over: digits) }
            var reached = current
            for _ in minimum..<maximum where current != 0 {
                current = advance(node, from: current, over: digits)
                reached |= current
            }
            return reached
        }
    }
}

/// Reads a pattern into ``PhonePattern/Node``s, by recursive descent; nil at anything it does not know.
private struct PhonePatternParser {
    let bytes: [UInt8]
    private var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    /// A repeat count beyond this is refused: none of the plans comes near it, and a match stays short.
    static let largestCount = PhonePattern.longestText

    mutating func alternatives() -> PhonePattern.Node? {
        var options: [PhonePattern.Node] = []
        repeat {
            guard let option = sequence() else { return nil }
            options.append(option)
        } while take("|")
        return options.count == 1 ? options.first : PhonePattern.Node(.alternatives, options)
    }

    private mutating func sequence() -> PhonePattern.Node? {
        var nodes: [PhonePattern.Node] = []
        while let byte = peek, byte != UInt8(ascii: "|"), byte != UInt8(ascii: ")") {
            guard let atom = atom(), let node = quantified(atom) else { return nil }
            nodes.append(node)
        }
        return nodes.count == 1 ? nodes.first : PhonePattern.Node(.sequence, nodes)
    }

    private mutating func atom() -> PhonePattern.Node? {
        guard let byte = next() else { return nil }
        switch byte {
        case UInt8(ascii: "("):
            guard take("?"), take(":"), let inner = alternatives(), take(")") else { return nil }
            return inner
        case UInt8(ascii: "["):
            return digitClass()
        case UInt8(ascii: "\\"):
            return take("d") ? PhonePattern.Node(.digit(accepted: 0x3FF)) : nil
        default:
            return Self.digit(byte).map { PhonePattern.Node(.digit(accepted: UInt16(1) << $0)) }
        }
    }

    /// After `[`: digits and ranges of digits up to `]`.
    private mutating func digitClass() -> PhonePattern.Node? {
        var accepted: UInt16 = 0
        while let byte = next() {
            if byte == UInt8(ascii: "]") { return accepted == 0 ? nil : PhonePattern.Node(.digit(accepted: accepted)) }
            guard let low = Self.digit(byte) else { return nil }
            var high = low
            if take("-") {
                guard let end = next().flatMap(Self.digit), end >= low else { return nil }
                high = end
            }
            for digit in low...high { accepted |= UInt16(1) << digit }
        }
        return nil
    }

    private mutating func quantified(_ atom: PhonePattern.Node) -> PhonePattern.Node? {
        if take("?") { return PhonePattern.Node(.repeated(minimum: 0, maximum: 1), [atom]) }
        guard take("{") else { return atom }
        guard let minimum = count() else { return nil }
        let maximum = take(",") ? count() : minimum
        guard let maximum, maximum >= minimum, take("}") else { return nil }
        return PhonePattern.Node(.repeated(minimum: minimum, maximum: maximum), [atom])
    }

    private mutating func count() -> Int? {
        var value: Int?
        while let digit = peek.flatMap(Self.digit) {
            index += 1
            value = (value ?? 0) * 10 + Int(digit)
            guard let value, value <= Self.largestCount else { return nil }
        }
        return value
    }

    private static func digit(_ byte: UInt8) -> UInt8? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? byte - UInt8(ascii: "0") : nil
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func next() -> UInt8? {
        defer { if index < bytes.count { index += 1 } }
        return peek
    }

    private mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard peek == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }
}
