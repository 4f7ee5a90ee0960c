import Foundation

/// Escapes text for HTML and XML (every page, the HTML email, the TwiML `<Say>`, the admin portal's SVG charts).
public enum Markup {
    /// Escapes `&`, `<`, `>`, `"` and `'` wherever they occur as Unicode scalars. Browsers and XML parsers read
    /// scalars, not Swift `Character`s: `"` followed by a combining mark is one `Character` that is not `"`, yet
    /// it still closes an attribute (docs/security.md#output-escaping).
    public static func escape(_ text: String) -> String {
        var escaped = String.UnicodeScalarView()
        escaped.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped.append(contentsOf: "&amp;".unicodeScalars)
            case "<": escaped.append(contentsOf: "&lt;".unicodeScalars)
            case ">": escaped.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": escaped.append(contentsOf: "&quot;".unicodeScalars)
            case "'": escaped.append(contentsOf: "&#39;".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }
}
