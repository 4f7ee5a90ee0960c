import Foundation

/// Escapes text for HTML and XML (the HTML email, the TwiML `<Say>`, the admin portal's SVG charts).
public enum Markup {
    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
