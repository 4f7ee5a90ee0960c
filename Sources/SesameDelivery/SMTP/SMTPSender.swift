import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SesameCore

/// Sends email through an SMTP server: STARTTLS or implicit TLS with certificate checking, AUTH PLAIN or LOGIN,
/// one connection per message. Errors say what the server answered; a 4xx answer, a dropped connection or a timeout
/// is transient and worth retrying, the rest are not.
public struct SMTPSender: MessageSender {
    let settings: SMTPSettings
    /// The organisation's logo at the time of sending (it can change while the server runs).
    let logo: @Sendable () async -> Logo?
    let tls: NIOSSLContext
    let group: any EventLoopGroup

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
        let (channel, handshake) = try await connect()
        try await channel.executeThenClose { inbound, outbound in
            var session = SMTPSession(channel: channel.channel, settings: settings, tls: tls, inbound: inbound, outbound: outbound, handshake: handshake)
            try await Self.within(settings.timeout, closing: channel.channel) {
                try await session.deliver(rendered, to: message.to)
            }
        }
    }

    private func connect() async throws -> (NIOAsyncChannel<ByteBuffer, ByteBuffer>, EventLoopFuture<Void>?) {
        let (tls, host, implicit) = (self.tls, settings.host, settings.security == .implicit)
        do {
            return try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(Int64(settings.connectTimeout.seconds * 1e9)))
                .connect(host: host, port: settings.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handshake = implicit
                            ? try TLSHandshake.add(to: channel.pipeline.syncOperations, context: tls, host: host, eventLoop: channel.eventLoop) : nil
                        return (try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel), handshake)
                    }
                }
        } catch {
            throw DeliveryError("the mail server \(host):\(settings.port) could not be reached: \(error)", transient: true)
        }
    }

    /// Runs `body`, closing the connection (which ends any read) if it takes longer than `limit`.
    private static func within(_ limit: Duration, closing channel: any Channel, _ body: () async throws -> Void) async throws {
        let timer = Task {
            try await Task.sleep(for: limit)
            channel.close(promise: nil)
            return true
        }
        do {
            try await body()
            timer.cancel()
        } catch {
            timer.cancel()
            // A cancelled timer throws, so only a timer that fired answers `true`.
            if (try? await timer.value) == true { throw DeliveryError("the mail server did not answer within \(limit)", transient: true) }
            throw error
        }
    }
}
