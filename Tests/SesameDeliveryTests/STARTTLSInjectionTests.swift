import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SesameCore
import Testing

@testable import SesameDelivery

/// Whatever arrives in plain text after the server's "220" to STARTTLS was not protected by TLS: someone on the
/// path may have added it. It must never be read as a reply once TLS is up (RFC 3207 §4.2,
/// docs/security.md#starttls).
@Suite struct STARTTLSInjectionTests {
    /// A throwaway certificate for 127.0.0.1 (its own authority, valid until 2126), for this fake server only.
    static let key = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgW8PB6xx1nJfdsjt+
        utHLqxIjsBAF3E/O3BtUy8DAcqyhRANCAAR682+quwS+839LNr/O76FTQ4Xl7bgo
        EXJVWAj0kDr/xahijv1W+t8QwOnAYF7jEnwncRF+y5PUi5JqDai3ad8H
        -----END PRIVATE KEY-----
        """
    static let certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBkDCCATagAwIBAgIUIsTlRlROM6uuTkPrHW0SmEGKWIIwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwMjE4MDUwN1oYDzIxMjYxMTA4
        MTgwNTA3WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAAR682+quwS+839LNr/O76FTQ4Xl7bgoEXJVWAj0kDr/xahijv1W+t8Q
        wOnAYF7jEnwncRF+y5PUi5JqDai3ad8Ho2QwYjAdBgNVHQ4EFgQUZRUMbCfvafOq
        jHkJHclCr5ynOTkwHwYDVR0jBBgwFoAUZRUMbCfvafOqjHkJHclCr5ynOTkwDwYD
        VR0RBAgwBocEfwAAATAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUC
        IQCwD2CgK1XN9orLS7Bq3ZtPeNHk/TwdS2ISpvwgq9RiEQIgSV9QNwht9rCNc+O4
        sqkUI4bU/z7R2IkM/n/veqUOkGU=
        -----END CERTIFICATE-----
        """

    @Test func plainTextSentWithTheSTARTTLSReplyIsNotReadAfterTheHandshake() async throws {
        let tls = try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(Self.certificate.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(Self.key.utf8), format: .pem))))
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(FakeServer(tls: tls)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sesame-starttls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let authority = folder.appendingPathComponent("ca.pem")
        try Data(Self.certificate.utf8).write(to: authority)
        let settings = try SMTPSettings(url: "smtp://127.0.0.1:\(port)?tls=required&cafile=\(authority.path)", from: "no-reply@sesame.example")
        let message = MessageComposer.verificationCode(
            VerificationCode("042917")!, channel: .email, to: "user@contoso.example", organisation: "Contoso", language: .english)
        // Before the fix the injected "554" was taken for the reply to EHLO inside TLS, and the delivery failed.
        try await SMTPSender(settings: settings).send(message)
    }
}

/// An SMTP server that puts a line of its own (standing for an attacker's) right after its "220" to STARTTLS, in the
/// same packet, then speaks TLS and accepts everything.
private final class FakeServer: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let tls: NIOSSLContext
    var buffer = ByteBuffer()
    var encrypted = false
    var inData = false

    init(tls: NIOSSLContext) { self.tls = tls }

    func channelActive(context: ChannelHandlerContext) {
        send("220 fake ESMTP\r\n", context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        buffer.writeBuffer(&bytes)
        while let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let line = (buffer.readString(length: end - buffer.readerIndex + 1) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            answer(line.uppercased(), context)
        }
    }

    private func answer(_ line: String, _ context: ChannelHandlerContext) {
        if inData {
            if line == "." {
                inData = false
                send("250 queued\r\n", context)
            }
            return
        }
        switch true {
        case line.hasPrefix("EHLO"): send(encrypted ? "250 fake\r\n" : "250-fake\r\n250 STARTTLS\r\n", context)
        case line == "STARTTLS":
            send("220 go ahead\r\n554 injected before TLS\r\n", context)
            encrypted = true
            let handler = NIOSSLServerHandler(context: tls)
            try? context.pipeline.syncOperations.addHandler(handler, position: .first)
        case line == "DATA":
            inData = true
            send("354 go on\r\n", context)
        case line == "QUIT": send("221 bye\r\n", context)
        default: send("250 ok\r\n", context)
        }
    }

    private func send(_ text: String, _ context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
    }
}
