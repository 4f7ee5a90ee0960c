import Foundation

/// Foundation's trimming and normalising, with plain ASCII (nearly every name, address and number an import or a
/// directory brings) done by its bytes: Foundation's own took a fifth of a directory sync's time
/// (docs/scale.md#batches).
extension String {
    /// Without the white space and line breaks around it, as `trimmingCharacters(in: .whitespacesAndNewlines)`.
    func trimmingWhiteSpaceAndNewlines() -> String {
        trimmed(asciiSpace: { $0 == 0x20 || (0x09...0x0D).contains($0) }, otherwise: .whitespacesAndNewlines)
    }

    /// Without the spaces and tabs around it, as `trimmingCharacters(in: .whitespaces)`.
    func trimmingWhiteSpace() -> String {
        trimmed(asciiSpace: { $0 == 0x20 || $0 == 0x09 }, otherwise: .whitespaces)
    }

    /// In Unicode NFC, as `precomposedStringWithCanonicalMapping`: ASCII is its own.
    var precomposed: String {
        isASCII ? self : precomposedStringWithCanonicalMapping
    }

    private var isASCII: Bool { utf8.allSatisfy { $0 < 0x80 } }

    private func trimmed(asciiSpace: (UInt8) -> Bool, otherwise set: CharacterSet) -> String {
        guard isASCII else { return trimmingCharacters(in: set) }
        guard let first = utf8.firstIndex(where: { !asciiSpace($0) }), let last = utf8.lastIndex(where: { !asciiSpace($0) }) else {
            return ""
        }
        return String(decoding: utf8[first...last], as: UTF8.self)
    }
}
