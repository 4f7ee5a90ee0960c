import Foundation
import SesameCore

/// Reads an `Accept-Language` header (RFC 9110 §12.5.4), which anyone can send with any bytes: every item may be
/// empty, lack a tag or carry a quality that is not a number, and none of that may stop the page from answering
/// (docs/security.md#parsers).
package enum AcceptLanguage {
    /// More items than any browser sends are ignored: past them, a long header (bounded by the server's header limit)
    /// costs only its split.
    static let maximumItems = 32

    /// The supported language the header prefers most; on equal quality, the one named first. `q=0` means "not
    /// this one".
    package static func preferred(_ header: String) -> Language? {
        var best: (language: Language, quality: Double)?
        for item in header.split(separator: ",").prefix(maximumItems) {
            var parameters = item.split(separator: ";", omittingEmptySubsequences: false).makeIterator()
            guard let tag = parameters.next()?.trimmingWhiteSpace(),
                let language = Language(tag: tag)
            else { continue }
            let quality = parameters.lazy.compactMap(Self.quality).first ?? 1
            if quality > 0, quality > (best?.quality ?? 0) { best = (language, quality) }
        }
        return best?.language
    }

    /// `q=0.8` as a number from 0 to 1; anything else is no quality at all.
    static func quality(_ parameter: Substring) -> Double? {
        let trimmed = parameter.trimmingWhiteSpace()
        guard trimmed.hasPrefix("q=") || trimmed.hasPrefix("Q="), trimmed.count <= 7,
            let value = Double(trimmed.dropFirst(2)), value.isFinite, (0...1).contains(value)
        else { return nil }
        return value
    }
}
