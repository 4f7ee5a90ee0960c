import SesameCore

/// A server's answer: a three-digit code and its lines ("250-SIZE" … "250 OK").
package struct SMTPReply: Sendable, Hashable {
    package let code: Int
    let lines: [String]

    var isPositive: Bool { (200..<400).contains(code) }
    /// 4yz: try again later (RFC 5321 §4.2.1).
    var isTransient: Bool { (400..<500).contains(code) }
    /// The server's words, for error messages and logs: never a credential, since the server does not echo them.
    var summary: String { "\(code) \(lines.first ?? "")" }

    /// The EHLO keywords in upper case, each with its parameters ("AUTH" → ["PLAIN", "LOGIN"]).
    package var extensions: [String: [String]] {
        var found: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let words = line.split(separator: " ").map { $0.uppercased() }
            if let keyword = words.first { found[keyword] = Array(words.dropFirst()) }
        }
        return found
    }

    /// Reads one reply line: `nil` until the reply is complete, then the reply.
    package struct Parser {
        package init() {}

        private var code: Int?
        private var lines: [String] = []
        /// A server that sends continuation lines without end is not answering; an EHLO has a few dozen at most.
        static let maximumLines = 100

        package mutating func consume(_ line: String) throws(DeliveryErrorReason) -> SMTPReply? {
            let characters = Array(line.utf8)
            let digits = characters.prefix(3)
            // The separator after the code: a space ends the reply, a hyphen says more lines follow, none is a bare code.
            let separator = characters[checked: 3]
            guard digits.count == 3, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                  let code = Int(String(decoding: digits, as: UTF8.self)), (200...599).contains(code),
                  separator == nil || separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-"),
                  self.code == nil || self.code == code, lines.count < Self.maximumLines
            else { throw .malformedReply }
            self.code = code
            lines.append(String(decoding: characters.dropFirst(4), as: UTF8.self))
            guard separator != UInt8(ascii: "-") else { return nil }
            defer { self = Parser() }
            return SMTPReply(code: code, lines: lines)
        }
    }
}

package enum DeliveryErrorReason: Error {
    case malformedReply
}
