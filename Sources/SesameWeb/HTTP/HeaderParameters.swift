import Foundation
import SesameCore

/// A header value with parameters, as `Content-Type` and `Content-Disposition` carry them (RFC 9110 §5.6.6):
/// `multipart/form-data; boundary="abc"`. Anyone can send any bytes here, so every piece may be missing, empty or
/// unquoted; what cannot be read is simply absent (docs/security.md#parsers).
package struct HeaderParameters: Sendable, Hashable {
    /// The part before the first `;`, trimmed and in lower case (`multipart/form-data`).
    package let value: String
    /// Parameter names in lower case; values with their quotes and backslash escapes removed.
    package let parameters: [String: String]

    /// More parameters than a real header has are ignored.
    static let maximumParameters = 16

    package init(_ header: Substring) {
        var items = Self.items(header).makeIterator()
        value = (items.next() ?? "").trimmingWhiteSpace().lowercased()
        var parameters: [String: String] = [:]
        var count = 0
        while let item = items.next(), count < Self.maximumParameters {
            count += 1
            let name = item.prefix { $0 != "=" }
            guard name.count < item.count else { continue }
            let key = name.trimmingWhiteSpace().lowercased()
            // The first occurrence wins, as a second `boundary=` must not change what the first one said.
            if !key.isEmpty, parameters[key] == nil {
                parameters[key] = Self.unquote(item.dropFirst(name.count + 1).trimmingWhiteSpace())
            }
        }
        self.parameters = parameters
    }

    package init(_ header: String) { self.init(header[...]) }

    /// Splits on `;` outside quoted strings.
    static func items(_ header: Substring) -> [Substring] {
        var items: [Substring] = []
        var start = header.startIndex
        var index = header.startIndex
        var quoted = false
        var escaped = false
        while index < header.endIndex {
            let character = header[index]
            if escaped {
                escaped = false
            } else if quoted, character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";", !quoted {
                items.append(header[start..<index])
                start = header.index(after: index)
            }
            index = header.index(after: index)
        }
        items.append(header[start..<header.endIndex])
        return items
    }

    /// `"a \"b\""` → `a "b"`; an unquoted token is kept as it is.
    static func unquote(_ text: String) -> String {
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return text }
        var result = ""
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if escaped || character != "\\" {
                result.append(character)
                escaped = false
            } else {
                escaped = true
            }
        }
        return result
    }
}
