import Foundation

/// RFC 4648 §5's alphabet, by value.
private let base64URLAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

extension [UInt8] {
    /// Base64url without padding (RFC 4648 §5): safe in a URL path, a header and a cookie, for tokens.
    /// Written from the alphabet, three bytes to four characters: Foundation's encoding and three replacements
    /// cost 30,000 instructions a token, and every page makes several (README.md#over-http-beside-privacyidea).
    public var base64URL: String {
        var text: [UInt8] = []
        text.reserveCapacity((count * 4 + 2) / 3)
        var index = startIndex
        while index < endIndex {
            let available = Swift.min(3, endIndex - index)
            // Up to 24 bits, the missing bytes as zeros; only the characters they fill are written.
            var bits = UInt32(self[index]) << 16
            if available > 1 { bits |= UInt32(self[index + 1]) << 8 }
            if available > 2 { bits |= UInt32(self[index + 2]) }
            for position in 0...available {
                text.append(base64URLAlphabet[Int((bits >> (18 - 6 * position)) & 0x3F)])
            }
            index += available
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Decodes base64url without padding; `nil` for anything else or anything longer than `limit` characters.
    public init?(base64URL text: String, limit: Int) {
        guard text.utf8.count <= limit else { return nil }
        let standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard let data = Data(base64Encoded: standard + String(repeating: "=", count: (4 - standard.count % 4) % 4)) else { return nil }
        self = [UInt8](data)
    }
}
