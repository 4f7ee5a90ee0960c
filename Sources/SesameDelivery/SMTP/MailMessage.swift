import Foundation
import SesameCore

/// An RFC 5322 message: UTF-8 headers as RFC 2047 encoded words, and a multipart/alternative body with the text and
/// an HTML version carrying the organisation's name and, at the bottom, its logo (docs/behaviour.md#administration).
struct MailMessage {
    let from: Mailbox
    let to: String
    let subject: String
    let text: String
    let organisation: String
    /// The HTML part's `lang` and `dir` (Arabic and Hebrew read right to left) and the `Content-Language` header.
    let language: Language
    let logo: Logo?
    let date: Date
    let messageID: String
    /// Boundaries must not occur in the parts; base64 parts cannot hold `=_`, so a fixed prefix and a random tail suffice.
    let boundary: String

    init(_ message: OutgoingMessage, from: Mailbox, logo: Logo?, date: Date = Date(), id: UUID = UUID()) {
        // The sender is "<organisation>" when the configuration names nobody (docs/behaviour.md#administration).
        self.from = Mailbox(name: from.name ?? (message.organisation.isEmpty ? nil : message.organisation), address: from.address)
        self.to = message.to
        self.subject = message.subject ?? message.organisation
        self.text = message.text
        self.organisation = message.organisation
        self.language = message.language
        self.logo = logo?.showsInEmail == true ? logo : nil
        self.date = date
        self.messageID = "<\(id.uuidString.lowercased())@\(from.address.domain)>"
        self.boundary = "=_sesame_" + id.uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// The whole message with CRLF line ends, before dot-stuffing.
    var rendered: String {
        var lines = [
            "From: \(Self.header(mailbox: from))",
            "To: <\(to)>",
            "Subject: \(Self.encodedWords(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: \(messageID)",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
            "Content-Language: \(language.rawValue)",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "--\(boundary)",
        ]
        lines += Self.part(type: "text/plain; charset=utf-8", data: Data(text.utf8))
        lines.append("--\(boundary)")
        if let logo {
            let related = boundary + "_r"
            lines += ["Content-Type: multipart/related; boundary=\"\(related)\"", "", "--\(related)"]
            lines += Self.part(type: "text/html; charset=utf-8", data: Data(html.utf8))
            lines.append("--\(related)")
            lines += Self.part(type: logo.type, data: logo.data, extra: [
                "Content-ID: <logo@sesame>", "Content-Disposition: inline; filename=\"logo.\(logo.fileExtension)\"",
            ])
            lines.append("--\(related)--")
        } else {
            lines += Self.part(type: "text/html; charset=utf-8", data: Data(html.utf8))
        }
        lines.append("--\(boundary)--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The text, paragraph by paragraph, under the organisation's name.
    var html: String {
        let paragraphs = text.components(separatedBy: "\n\n").map {
            "<p>" + Markup.escape($0).replacingOccurrences(of: "\n", with: "<br>") + "</p>"
        }
        let name = Markup.escape(organisation)
        let footer = logo == nil ? "" : "<p><img src=\"cid:logo@sesame\" alt=\"\(name)\" style=\"max-height:48px\"></p>"
        return """
            <!DOCTYPE html><html lang="\(language.rawValue)" dir="\(language.direction)"><head><meta charset="utf-8"><title>\(Markup.escape(subject))</title></head>\
            <body style="font-family:sans-serif;color:#1b1b1b;max-width:36em">\
            <h1 style="font-size:1.2em">\(name)</h1>\(paragraphs.joined())\(footer)</body></html>
            """
    }

    private static func part(type: String, data: Data, extra: [String] = []) -> [String] {
        ["Content-Type: \(type)", "Content-Transfer-Encoding: base64"] + extra + [""]
            + [data.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])]
    }

    /// `Name <address>` with the name quoted or encoded as needed.
    static func header(mailbox: Mailbox) -> String {
        guard let name = mailbox.name, !name.isEmpty else { return "<\(mailbox.address.value)>" }
        let plain = name.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 } && !name.contains("=?")
        let shown = plain ? "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" : encodedWords(name)
        return "\(shown) <\(mailbox.address.value)>"
    }

    /// RFC 2047 B-encoded words for text that is not plain ASCII; each word stays within 75 characters and never
    /// splits a character, and words are folded onto continuation lines.
    static func encodedWords(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F } && !text.contains("=?")
        if plain { return text }
        var words: [String] = []
        var chunk = ""
        for character in text {
            if chunk.utf8.count + character.utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?utf-8?B?" + Data($0.utf8).base64EncodedString() + "?=" }.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// The DATA payload: CRLF line ends, a dot doubled at the start of any line (RFC 5321 §4.5.2), and the final dot.
    static func dataPayload(_ rendered: String) -> String {
        let normalised = rendered.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let stuffed = normalised.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasPrefix(".") ? "." + $0 : String($0) }
        var payload = stuffed.joined(separator: "\r\n")
        if !payload.hasSuffix("\r\n") { payload += "\r\n" }
        return payload + ".\r\n"
    }
}
