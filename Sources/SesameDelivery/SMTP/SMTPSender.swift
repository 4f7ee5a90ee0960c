import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SesameCore

/// Sends email through an SMTP server: STARTTLS or implicit TLS with certificate checking, AUTH PLAIN or LOGIN, and
/// connections kept open between messages (`SMTPConnectionPool`). Errors say what the server answered; a 4xx answer,
/// a dropped connection or a timeout is transient and worth retrying, the rest are not.
public struct SMTPSender: MessageSender {
    let settings: SMTPSettings
    /// The organisation's logo at the time of sending (it can change while the server runs).
    let logo: @Sendable () async -> Logo?
    let tls: NIOSSLContext
    let group: any EventLoopGroup
    let connections = SMTPConnectionPool()

    public init(
        settings: SMTPSettings, logo: @escaping @Sendable () async -> Logo? = { nil },
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(ConfigurationProblem) {
        self.settings = settings
        self.logo = logo
        self.group = group
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let file = settings.certificateAuthorityFile { configuration.additionalTrustRoots = [.file(file)] }
        do {
            self.tls = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigurationProblem("SESAME_SMTP_URL: the certificate authority file cannot be used: \(error)")
        }
    }

    public func provider(for channel: CodeChannel) -> String { "smtp" }

    public func send(_ message: OutgoingMessage) async throws {
        guard message.channel == .email else { throw DeliveryError("SMTP carries email only") }
        let rendered = MailMessage(message, from: settings.from, logo: await logo()).rendered
        if let connection = await connections.take() {
            do {
                try await connection.send(rendered, to: message.to)
                return await connections.giveBack(connection)
            } catch is SMTPSession.Stale {
                // The server had dropped the idle connection before this message began: a new one carries it.
                await connection.close()
                try Task.checkCancellation()
            }
        }
        let connection = try await SMTPConnection.open(settings: settings, tls: tls, group: group)
        try await connection.send(rendered, to: message.to)
        await connections.giveBack(connection)
    }
}
