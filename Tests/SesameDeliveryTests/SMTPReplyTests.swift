import Testing

@testable import SesameDelivery

/// A mail server's replies are outside bytes (docs/security.md#parsers): whatever it sends, the parser answers with
/// a reply or a clear error, never a trap.
@Suite struct SMTPReplyTests {
    @Test func aMultilineReplyEndsOnItsLastLine() throws {
        var parser = SMTPReply.Parser()
        #expect(try parser.consume("250-mail.example Hello") == nil)
        #expect(try parser.consume("250-AUTH PLAIN LOGIN") == nil)
        let reply = try #require(try parser.consume("250 STARTTLS"))
        #expect(reply.code == 250 && reply.extensions["AUTH"] == ["PLAIN", "LOGIN"] && reply.extensions["STARTTLS"] == [])
    }

    @Test func aBareCodeIsAWholeReply() throws {
        var parser = SMTPReply.Parser()
        #expect(try parser.consume("354")?.code == 354)
    }

    @Test(arguments: ["", "25", "2x0 OK", "+25 OK", "250xOK", "199 low", "600 high", "-250 OK", "٢٥٠ OK"])
    func aMalformedLineIsRefused(_ line: String) {
        var parser = SMTPReply.Parser()
        #expect(throws: DeliveryErrorReason.self) { try parser.consume(line) }
    }

    @Test func aReplyWithoutEndIsRefused() throws {
        var parser = SMTPReply.Parser()
        for _ in 0..<SMTPReply.Parser.maximumLines { _ = try parser.consume("250-more") }
        #expect(throws: DeliveryErrorReason.self) { try parser.consume("250-more") }
    }
}
