import Foundation

/// The aiosmtpd sink that `scripts/test` starts (`Tests/tools/smtp_sink.py`), and the mail it received.
public struct SMTPSink: Sendable {
    public let plain: Int
    public let starttls: Int
    public let loginonly: Int
    public let smtps: Int
    public let maildir: String
    public let cafile: String
    public let password: String

    /// The sink named by `SESAME_TEST_SMTP_SINK`; a test without it fails and says how to run it.
    public static func running() throws -> SMTPSink {
        guard let path = ProcessInfo.processInfo.environment["SESAME_TEST_SMTP_SINK"] else {
            throw SinkMissing()
        }
        struct Info: Decodable { let plain, starttls, loginonly, smtps: Int; let maildir, cafile, password: String }
        let info = try JSONDecoder().decode(Info.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        return SMTPSink(plain: info.plain, starttls: info.starttls, loginonly: info.loginonly, smtps: info.smtps, maildir: info.maildir, cafile: info.cafile, password: info.password)
    }

    public struct SinkMissing: Error, CustomStringConvertible {
        public var description: String { "SESAME_TEST_SMTP_SINK is not set: run the tests with scripts/test, which starts the SMTP sink" }
    }

    /// Every message delivered to `recipient`, oldest first (the sink names its files in arrival order), waiting up to `timeout` for at least `count` of them.
    public func messages(to recipient: String, count: Int = 1, timeout: Duration = .seconds(30)) async throws -> [ReceivedMail] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let found = try received().filter { mail in
                let recipients = (mail.header("X-RcptTo") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                return recipients.contains(recipient.lowercased())
            }
            if found.count >= count || ContinuousClock.now >= deadline { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private func received() throws -> [ReceivedMail] {
        let folder = URL(fileURLWithPath: maildir).appendingPathComponent("new")
        let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        return try files.sorted { $0.lastPathComponent < $1.lastPathComponent }.map { try ReceivedMail(raw: Data(contentsOf: $0)) }
    }
}

/// A received RFC 5322 message, parsed enough to read what a person would: headers (RFC 2047 decoded) and the
/// MIME parts, base64 decoded.
public struct ReceivedMail: Sendable {
    public let raw: String
    public let headers: [(name: String, value: String)]
    public let parts: [Part]

    public struct Part: Sendable {
        public let headers: [(name: String, value: String)]
        public let body: Data
        public func header(_ name: String) -> String? { headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    init(raw data: Data) throws {
        raw = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        let (headers, body) = Self.split(raw)
        self.headers = headers
        let type = headers.first { $0.name.lowercased() == "content-type" }?.value ?? "text/plain"
        parts = Self.leaves(type: type, headers: headers, body: body)
    }

    public func header(_ name: String) -> String? { headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value }

    /// The first part of `type` (`text/plain`, `text/html`, `image/png`…).
    public func part(_ type: String) -> Part? { parts.first { $0.header("Content-Type")?.lowercased().hasPrefix(type) == true } }

    /// The six digits of a verification code in the text part.
    public var code: String? {
        guard let text = part("text/plain")?.text, let range = text.range(of: #"\b\d{6}\b"#, options: .regularExpression) else { return nil }
        return String(text[range])
    }

    static func split(_ text: String) -> ([(name: String, value: String)], String) {
        let end = text.range(of: "\n\n")
        let head = end.map { String(text[..<$0.lowerBound]) } ?? text
        let body = end.map { String(text[$0.upperBound...]) } ?? ""
        var headers: [(name: String, value: String)] = []
        for line in head.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.first == " " || line.first == "\t", let last = headers.popLast() {
                headers.append((last.name, last.value + String(line.dropFirst())))
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        return (headers.map { ($0.name, decodeWords($0.value)) }, body)
    }

    static func leaves(type: String, headers: [(name: String, value: String)], body: String) -> [Part] {
        guard type.lowercased().hasPrefix("multipart/"), let range = type.range(of: #"boundary="?[^";]+"#, options: .regularExpression) else {
            let encoding = headers.first { $0.name.lowercased() == "content-transfer-encoding" }?.value.lowercased()
            let data = encoding == "base64" ? Data(base64Encoded: body.filter { !$0.isWhitespace }) ?? Data() : Data(body.utf8)
            return [Part(headers: headers, body: data)]
        }
        let boundary = type[range].dropFirst("boundary=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        let sections = body.components(separatedBy: "--\(boundary)").dropFirst().filter { !$0.hasPrefix("--") }
        return sections.flatMap { section -> [Part] in
            let (partHeaders, partBody) = split(String(section.drop { $0 == "\n" }))
            let partType = partHeaders.first { $0.name.lowercased() == "content-type" }?.value ?? "text/plain"
            return leaves(type: partType, headers: partHeaders, body: partBody)
        }
    }

    /// Decodes `=?utf-8?B?…?=` words; the whitespace between adjacent words goes (RFC 2047 §6.2).
    public static func decodeWords(_ value: String) -> String {
        let pattern = #"=\?utf-8\?B\?([A-Za-z0-9+/=]*)\?=(\s+(?==\?))?"#
        guard let regex = try? NSRegularExpression(pattern: pattern, options: .caseInsensitive) else { return value }
        var result = value
        for match in regex.matches(in: value, range: NSRange(value.startIndex..., in: value)).reversed() {
            let encoded = String(value[Range(match.range(at: 1), in: value)!])
            let decoded = Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? encoded
            result.replaceSubrange(Range(match.range, in: result)!, with: decoded)
        }
        return result
    }
}
