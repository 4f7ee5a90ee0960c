import Foundation

/// Trimming without Foundation, and normalising with plain ASCII done by its bytes. Foundation's took a fifth of a
/// directory sync's time (docs/scale.md#batches); on a request's path its trimming also takes a lock of the whole
/// process for each use of a predefined character set, where threads that find it held spin in `sleep(0)`
/// (docs/architecture.md#threads).
extension StringProtocol where SubSequence == Substring {
    /// Without the white space and line breaks around it, as `trimmingCharacters(in: .whitespacesAndNewlines)`.
    package func trimmingWhiteSpaceAndNewlines() -> String {
        trimmed(Self.isWhiteSpace)
    }

    /// Without the spaces and tabs around it, as `trimmingCharacters(in: .whitespaces)`: the same without the line
    /// breaks (U+000A–U+000D, NEL, and the line and paragraph separators).
    package func trimmingWhiteSpace() -> String {
        trimmed { scalar in
            switch scalar.value {
            case 0x0A...0x0D, 0x85, 0x2028, 0x2029: false
            default: Self.isWhiteSpace(scalar)
            }
        }
    }

    /// White_Space, ASCII's by value, and the zero-width space, as Foundation counts it.
    private static func isWhiteSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value) : scalar.properties.isWhitespace || scalar.value == 0x200B
    }

    private func trimmed(_ isSpace: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first..<scalars.index(after: last)])
    }
}

extension String {
    /// In Unicode NFC, as `precomposedStringWithCanonicalMapping`: ASCII is its own.
    var precomposed: String {
        isASCII ? self : precomposedStringWithCanonicalMapping
    }

    private var isASCII: Bool { utf8.allSatisfy { $0 < 0x80 } }
}
