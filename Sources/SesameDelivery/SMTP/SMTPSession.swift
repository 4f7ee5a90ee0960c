import Foundation
import NIOCore
import NIOSSL
import SesameCore

/// One SMTP conversation (RFC 5321) on a connected channel: greeting, EHLO, STARTTLS, AUTH, then messages, one
/// transaction each, then QUIT.
/// Commands and replies are read line by line; nothing sent or received that could hold a secret is ever logged.
struct SMTPSession {
    let channel: any Channel
    let settings: SMTPSettings
    let tls: NIOSSLContext
    var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var isEncrypted: Bool
    /// The implicit TLS handshake, when there is one.
    let handshake: EventLoopFuture<Void>?
    private var buffer = ByteBuffer()
    /// What the server offered in its last EHLO answer.
    private var extensions: [String: [String]] = [:]
    /// Messages the server has taken on this connection.
    private(set) var transactions = 0
    private static let longestLine = 4096

    init(
        channel: any Channel, settings: SMTPSettings, tls: NIOSSLContext, inbound: NIOAsyncChannelInboundStream<ByteBuffer>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, handshake: EventLoopFuture<Void>?
    ) {
        self.channel = channel
        self.settings = settings
        self.tls = tls
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
        self.isEncrypted = settings.security == .implicit
        self.handshake = handshake
    }

    /// Greeting, EHLO, STARTTLS and AUTH: afterwards the session takes messages.
    mutating func open() async throws {
        if let handshake { try await TLSHandshake.wait(for: handshake) }
        try expect(try await reply(), "greeting", 220)
        extensions = try await hello()
        if !isEncrypted, settings.security == .required || extensions["STARTTLS"] != nil {
            guard extensions["STARTTLS"] != nil else {
                throw DeliveryError("the mail server does not offer STARTTLS, which the configuration requires (tls=required)")
            }
            try expect(try await command("STARTTLS"), "STARTTLS", 220)
            try await startTLS()
            extensions = try await hello()
        }
        if let username = settings.username {
            try await authenticate(username: username, password: settings.password ?? "", mechanisms: extensions["AUTH"] ?? [])
        }
    }

    /// One mail transaction: `message` to `recipient`. On a session that has already carried a message, a server
    /// that closed it, said "421" (closing), or spoke unasked is thrown as ``Stale``: nothing of this message has
    /// reached it before `MAIL FROM` is accepted.
    mutating func transfer(_ message: String, to recipient: String) async throws {
        // An address is checked where it is entered (`EmailAddress`); a line break here would be a command of its own.
        // Bytes, not characters: "\r\n" is one character, neither "\r" nor "\n".
        guard !(recipient + settings.from.address.value).utf8.contains(where: { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }) else {
            throw DeliveryError("an address to send to holds a line break")
        }
        let international = !(settings.from.address.value + recipient).allSatisfy(\.isASCII)
        if international, extensions["SMTPUTF8"] == nil {
            throw DeliveryError("the mail server cannot take an internationalised address (no SMTPUTF8)")
        }
        let parameters = (extensions["8BITMIME"] != nil ? " BODY=8BITMIME" : "") + (international ? " SMTPUTF8" : "")
        let reused = transactions > 0
        if reused, buffer.readableBytes > 0 { throw Stale(error: DeliveryError("the mail server spoke unasked", transient: true)) }
        let mail: SMTPReply
        do {
            mail = try await command("MAIL FROM:<\(settings.from.address.value)>\(parameters)")
        } catch let error as DeliveryError where reused {
            throw Stale(error: error)
        }
        if reused, mail.code == 421 { throw Stale(error: DeliveryError("the mail server closed the connection: \(mail.summary)", transient: true)) }
        try expect(mail, "MAIL FROM", 250)
        let accepted = try await command("RCPT TO:<\(recipient)>")
        guard accepted.isPositive else {
            throw DeliveryError("the mail server refused the recipient: \(accepted.summary)", transient: accepted.isTransient)
        }
        try expect(accepted, "RCPT TO", 250, 251)
        try expect(try await command("DATA"), "DATA", 354)
        try await write(MailMessage.dataPayload(message))
        try expect(try await reply(), "the message", 250)
        transactions += 1
    }

    /// Says goodbye; the server's answer does not matter.
    mutating func quit() async {
        _ = try? await command("QUIT")
    }

    /// A reused connection the server had already given up on.
    struct Stale: Error {
        let error: DeliveryError
    }

    private mutating func hello() async throws -> [String: [String]] {
        let answer = try await command("EHLO \(settings.clientName)")
        try expect(answer, "EHLO", 250)
        return answer.extensions
    }

    /// AUTH PLAIN, or LOGIN when that is all the server offers; only ever inside TLS.
    private mutating func authenticate(username: String, password: String, mechanisms: [String]) async throws {
        guard isEncrypted else {
            throw DeliveryError("refusing to send the SMTP password over an unencrypted connection: the server offered no STARTTLS")
        }
        if mechanisms.contains("PLAIN") || !mechanisms.contains("LOGIN") {
            let token = Data("\u{0}\(username)\u{0}\(password)".utf8).base64EncodedString()
            try expect(try await command("AUTH PLAIN \(token)"), "AUTH PLAIN", 235, credentials: true)
        } else {
            try expect(try await command("AUTH LOGIN"), "AUTH LOGIN", 334)
            try expect(try await command(Data(username.utf8).base64EncodedString()), "AUTH LOGIN", 334, credentials: true)
            try expect(try await command(Data(password.utf8).base64EncodedString()), "AUTH LOGIN", 235, credentials: true)
        }
    }

    /// Everything the server sent in plain text after its "220" to STARTTLS is thrown away, so that nobody on the
    /// path can add replies that would be read once TLS is up (RFC 3207 §4.2, docs/security.md#starttls): what is
    /// already in `buffer`, and what the channel delivered before TLS was in place, up to an empty marker read
    /// fired right behind the TLS handler on the event loop, so that it follows every plain read and precedes
    /// every decrypted one.
    private mutating func startTLS() async throws {
        buffer.clear()
        let (tls, host) = (self.tls, settings.host)
        let handshake = try await channel.eventLoop.submit { [channel] in
            let handshake = try TLSHandshake.add(to: channel.pipeline.syncOperations, context: tls, host: host, eventLoop: channel.eventLoop)
            let watcher = try channel.pipeline.syncOperations.context(handlerType: TLSHandshake.Watcher.self)
            // The async channel hands reads over at the end of a read burst.
            watcher.fireChannelRead(NIOAny(ByteBuffer()))
            watcher.fireChannelReadComplete()
            return handshake
        }.get()
        try await TLSHandshake.wait(for: handshake)
        do {
            while let plain = try await inbound.next(), plain.readableBytes > 0 {}
        } catch {
            throw DeliveryError("the connection to the mail server failed: \(error)", transient: true)
        }
        isEncrypted = true
    }

    /// Refusals say what the server answered. A positive answer other than the step's own means replies and commands
    /// are out of step (a line the server sent unasked, say): the connection is given up before anything more is sent.
    private func expect(_ reply: SMTPReply, _ step: String, _ codes: Int..., credentials: Bool = false) throws {
        guard reply.isPositive else {
            let what = credentials ? "the mail server refused the SMTP credentials" : "the mail server refused \(step)"
            throw DeliveryError("\(what): \(reply.summary)", transient: reply.isTransient)
        }
        guard codes.contains(reply.code) else {
            throw DeliveryError("the mail server's answer to \(step) is out of step: \(reply.code)", transient: true)
        }
    }

    private mutating func command(_ line: String) async throws -> SMTPReply {
        try await write(line + "\r\n")
        return try await reply()
    }

    private func write(_ text: String) async throws {
        do {
            try await outbound.write(ByteBuffer(string: text))
        } catch {
            throw DeliveryError("the mail server closed the connection: \(error)", transient: true)
        }
    }

    private mutating func reply() async throws -> SMTPReply {
        var parser = SMTPReply.Parser()
        while true {
            do {
                if let reply = try parser.consume(try await line()) { return reply }
            } catch is DeliveryErrorReason {
                throw DeliveryError("the mail server's answer is not SMTP", transient: true)
            }
        }
    }

    /// The next line without its CRLF (a bare LF is accepted too).
    private mutating func line() async throws -> String {
        while true {
            if let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                let length = end - buffer.readerIndex
                var line = buffer.readString(length: length) ?? ""
                buffer.moveReaderIndex(forwardBy: 1)
                if line.hasSuffix("\r") { line.removeLast() }
                return line
            }
            guard buffer.readableBytes < Self.longestLine else { throw DeliveryError("the mail server sent an overlong line", transient: true) }
            let next: ByteBuffer?
            do {
                next = try await inbound.next()
            } catch {
                throw DeliveryError("the connection to the mail server failed: \(error)", transient: true)
            }
            guard var next else { throw DeliveryError("the mail server closed the connection", transient: true) }
            buffer.writeBuffer(&next)
        }
    }
}

extension String {
    /// Whether this is an IPv4 or IPv6 literal: TLS server names (SNI) must not be addresses.
    var isIPAddress: Bool { (try? SocketAddress(ipAddress: self, port: 0)) != nil }
}
