import Foundation

extension [UInt8] {
    /// Base64url without padding (RFC 4648 §5): safe in a URL path and a header, for tokens.
    var base64URL: String {
        Data(self).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
