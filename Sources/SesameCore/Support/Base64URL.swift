import Foundation

extension [UInt8] {
    /// Base64url without padding (RFC 4648 §5): safe in a URL path, a header and a cookie, for tokens.
    public var base64URL: String {
        Data(self).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Decodes base64url without padding; `nil` for anything else or anything longer than `limit` characters.
    public init?(base64URL text: String, limit: Int) {
        guard text.utf8.count <= limit else { return nil }
        let standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard let data = Data(base64Encoded: standard + String(repeating: "=", count: (4 - standard.count % 4) % 4)) else { return nil }
        self = [UInt8](data)
    }
}
