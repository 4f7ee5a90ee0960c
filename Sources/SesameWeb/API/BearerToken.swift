/// The credential of an `Authorization: Bearer …` header (RFC 6750 §2.1): the scheme in any case, then a token68.
/// Anything else — another scheme, no token, spaces, bytes outside token68, a token longer than any Sesame issues —
/// is no credential at all, refused before the store is asked (docs/security.md#parsers).
package enum BearerToken {
    /// Sesame's tokens are a short prefix and 43 characters; this leaves room without reading megabytes.
    static let maximumLength = 256

    package static func parse(_ header: String?) -> String? {
        guard let header else { return nil }
        let scheme = header.prefix { $0 != " " }
        guard scheme.lowercased() == "bearer" else { return nil }
        let token = header.dropFirst(scheme.count).drop { $0 == " " }
        guard (1...maximumLength).contains(token.utf8.count), token.utf8.allSatisfy(isToken68) else { return nil }
        return String(token)
    }

    private static func isToken68(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
            true
        default: false
        }
    }
}
