/// Outside text shown on a terminal or in a log line, where a control character could forge a line, erase one or
/// turn text around (docs/security.md#directory-values).
public enum PrintableText {
    /// `text` with every control character and every bidirectional control written as an escape: `\n`, `\r`, `\t`,
    /// otherwise `\u{…}` with the scalar's hexadecimal value. Everything else is kept as it is.
    public static func escaping(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.properties.generalCategory == .control || isBidirectionalControl(scalar):
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `text` escaped, cut to `limit` characters with "…" when it was longer: for reporting a refused value without
    /// repeating all of it. Escaping only lengthens, so `limit + 1` characters of the input are enough to read.
    public static func preview(_ text: String, limit: Int = 80) -> String {
        let head = escaping(String(text.prefix(limit + 1)))
        return head.count > limit ? String(head.prefix(limit)) + "…" : head
    }

    /// The marks, embeddings, overrides and isolates of Unicode's bidirectional algorithm (UAX #9).
    static func isBidirectionalControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
