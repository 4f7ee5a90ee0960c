import Foundation
import Hummingbird
import SesameCore

/// Name → values from an `application/x-www-form-urlencoded` body or a query string, the same grammar (WHATWG URL
/// §5.1): `+` is a space, `%XX` a byte, and a broken escape is kept as typed rather than refused, as browsers do
/// (docs/security.md#parsers). A single value is the last one sent.
package struct FormData: Sendable {
    /// More fields than any of Sesame's forms has are ignored, so a body of a million `&` costs little.
    static let maximumFields = 1_000

    private var values: [String: [String]] = [:]

    package init() {}

    package init(urlEncoded body: Substring) {
        for pair in body.split(separator: "&").prefix(Self.maximumFields) {
            let name = pair.prefix { $0 != "=" }
            let value = pair.dropFirst(name.count + 1)
            values[Self.decode(name), default: []].append(Self.decode(value))
        }
    }

    package init(urlEncoded body: String) { self.init(urlEncoded: body[...]) }

    /// Uploaded files by field name (from a `multipart/form-data` post).
    private(set) var files: [String: Data] = [:]

    package init(multipart: MultipartForm) {
        for (name, value) in multipart.fields { values[name, default: []].append(value) }
        for part in multipart.parts where part.filename != nil { files[part.name] = part.data }
    }

    package subscript(name: String) -> String? { values[name]?.last }

    /// Every value sent under `name` (ticked checkboxes), in order.
    package func all(_ name: String) -> [String] { values[name] ?? [] }

    /// The value trimmed, or "" when absent.
    package func text(_ name: String) -> String { self[name]?.trimmingWhiteSpaceAndNewlines() ?? "" }

    /// `+` as a space, then percent-escapes as UTF-8 bytes (invalid UTF-8 becomes U+FFFD); a `%` that does not start
    /// a valid escape stays a `%`.
    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        var lookahead: [UInt8] = []
        while let byte = lookahead.popLast() ?? iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                let high = iterator.next()
                let low = high == nil ? nil : iterator.next()
                if let high, let low, let value = Self.hexValue(high), let lowValue = Self.hexValue(low) {
                    bytes.append(value << 4 | lowValue)
                } else {
                    bytes.append(byte)
                    // The bytes after a broken escape are read again as ordinary text.
                    if let low { lookahead.append(low) }
                    if let high { lookahead.append(high) }
                }
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Request {
    /// The query string's parameters, decoded as a browser's GET form sends them (`+` is a space).
    var query: FormData { FormData(urlEncoded: uri.query ?? "") }
}
