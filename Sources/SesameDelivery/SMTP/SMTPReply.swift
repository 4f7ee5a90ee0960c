/// A server's answer: a three-digit code and its lines ("250-SIZE" … "250 OK").
struct SMTPReply: Sendable, Hashable {
    let code: Int
    let lines: [String]

    var isPositive: Bool { (200..<400).contains(code) }
    /// 4yz: try again later (RFC 5321 §4.2.1).
    var isTransient: Bool { (400..<500).contains(code) }
    /// The server's words, for error messages and logs: never a credential, since the server does not echo them.
    var summary: String { "\(code) \(lines.first ?? "")" }

    /// The EHLO keywords in upper case, each with its parameters ("AUTH" → ["PLAIN", "LOGIN"]).
    var extensions: [String: [String]] {
        var found: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let words = line.split(separator: " ").map { $0.uppercased() }
            if let keyword = words.first { found[keyword] = Array(words.dropFirst()) }
        }
        return found
    }

    /// Reads one reply line: `nil` until the reply is complete, then the reply.
    struct Parser {
        private var code: Int?
        private var lines: [String] = []

        mutating func consume(_ line: String) throws(DeliveryErrorReason) -> SMTPReply? {
            let characters = Array(line.utf8)
            guard characters.count >= 3, let code = Int(String(decoding: characters.prefix(3), as: UTF8.self)), (200...599).contains(code),
                  characters.count == 3 || characters[3] == UInt8(ascii: " ") || characters[3] == UInt8(ascii: "-"),
                  self.code == nil || self.code == code
            else { throw .malformedReply }
            self.code = code
            lines.append(characters.count > 4 ? String(decoding: characters.dropFirst(4), as: UTF8.self) : "")
            guard characters.count == 3 || characters[3] == UInt8(ascii: " ") else { return nil }
            defer { self = Parser() }
            return SMTPReply(code: code, lines: lines)
        }
    }
}

enum DeliveryErrorReason: Error {
    case malformedReply
}
