import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// An SMTP server on loopback that does what aiosmtpd cannot be told to: add a line of its own (standing for an
/// attacker's) right after its "220" to STARTTLS, drop a connection between messages as a server does when it tires
/// of an idle client, or send more than it was asked for. It accepts every message and counts what it saw.
final class FakeSMTPServer: Sendable {
    struct Behaviour: Sendable {
        /// Offers STARTTLS and speaks TLS after it, when set.
        var tls: NIOSSLContext?
        /// Sent in plain text in the same packet as the "220" to STARTTLS.
        var injectAfterSTARTTLS: String?
        var afterMessage = AfterMessage.keepOpen
        /// Answers `MAIL FROM` with two lines, as if one had been left over.
        var answersMailTwice = false
    }

    enum AfterMessage: Sendable {
        case keepOpen
        /// Closes the connection once the message is accepted.
        case close
        /// Answers the next `MAIL FROM` with "421" and closes.
        case refuseNext
        /// Sends a line nobody asked for right behind its "250" to the message.
        case strayLine
    }

    struct Counts: Sendable, Equatable {
        var connections = 0
        var messages = 0
        var quits = 0
    }

    let port: Int
    private let channel: any Channel
    private let tally: Tally

    private final class Tally: Sendable {
        let counts = Mutex(Counts())
        func count(_ change: (inout Counts) -> Void) { counts.withLock { change(&$0) } }
    }

    private init(port: Int, channel: any Channel, tally: Tally) {
        self.port = port
        self.channel = channel
        self.tally = tally
    }

    static func start(_ behaviour: Behaviour = Behaviour()) async throws -> FakeSMTPServer {
        let tally = Tally()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Conversation(behaviour: behaviour, tally: tally)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return FakeSMTPServer(port: channel.localAddress?.port ?? 0, channel: channel, tally: tally)
    }

    var counts: Counts { tally.counts.withLock { $0 } }

    func stop() { channel.close(promise: nil) }

    /// One client's connection, on its event loop.
    private final class Conversation: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let behaviour: Behaviour
        let tally: Tally
        var buffer = ByteBuffer()
        var encrypted = false
        var inData = false
        var accepted = 0

        init(behaviour: Behaviour, tally: Tally) {
            self.behaviour = behaviour
            self.tally = tally
        }

        func channelActive(context: ChannelHandlerContext) {
            tally.count { $0.connections += 1 }
            send("220 fake ESMTP\r\n", context)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            buffer.writeBuffer(&bytes)
            while let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                var line = buffer.readString(length: end - buffer.readerIndex + 1) ?? ""
                while line.last?.isNewline == true { line.removeLast() }
                answer(line.uppercased(), context)
            }
        }

        private func answer(_ line: String, _ context: ChannelHandlerContext) {
            if inData {
                guard line == "." else { return }
                inData = false
                accepted += 1
                tally.count { $0.messages += 1 }
                send(behaviour.afterMessage == .strayLine ? "250 queued\r\n250 unasked\r\n" : "250 queued\r\n", context)
                if behaviour.afterMessage == .close { context.close(promise: nil) }
                return
            }
            switch true {
            case line.hasPrefix("EHLO"):
                send(encrypted || behaviour.tls == nil ? "250 fake\r\n" : "250-fake\r\n250 STARTTLS\r\n", context)
            case line == "STARTTLS":
                guard let tls = behaviour.tls else { return send("502 no\r\n", context) }
                send("220 go ahead\r\n" + (behaviour.injectAfterSTARTTLS.map { $0 + "\r\n" } ?? ""), context)
                encrypted = true
                try? context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
            case line.hasPrefix("MAIL FROM") where accepted > 0 && behaviour.afterMessage == .refuseNext:
                send("421 4.4.2 idle too long, closing\r\n", context)
                context.close(promise: nil)
            case line.hasPrefix("MAIL FROM") where behaviour.answersMailTwice:
                send("250 ok\r\n250 ok\r\n", context)
            case line == "DATA":
                inData = true
                send("354 go on\r\n", context)
            case line == "QUIT":
                tally.count { $0.quits += 1 }
                send("221 bye\r\n", context)
                context.close(promise: nil)
            default: send("250 ok\r\n", context)
            }
        }

        private func send(_ text: String, _ context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
        }
    }
}
