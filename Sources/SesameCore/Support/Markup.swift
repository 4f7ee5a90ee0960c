import Foundation

/// Escapes text for HTML and XML (every page, the HTML email, the TwiML `<Say>`, the admin portal's SVG charts).
public enum Markup {
    /// Escapes `&`, `<`, `>`, `"` and `'` wherever they occur as Unicode scalars. Browsers and XML parsers read
    /// scalars, not Swift `Character`s: `"` followed by a combining mark is one `Character` that is not `"`, yet
    /// it still closes an attribute (docs/security.md#output-escaping).
    public static func escape(_ text: String) -> String {
        var escaped: [UInt8] = []
        escaped.reserveCapacity(text.utf8.count)
        appendEscaped(text, to: &escaped)
        return String(decoding: escaped, as: UTF8.self)
    }

    /// `escape` written onto UTF-8 bytes, for the pages, which are built as bytes. Byte for byte is scalar for
    /// scalar here: the five are ASCII, and no byte of a longer scalar's UTF-8 is.
    public static func appendEscaped(_ text: String, to output: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): output.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): output.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): output.append(contentsOf: "&#39;".utf8)
            default: output.append(byte)
            }
        }
    }
}
