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
        let server = try await FakeSMTPServer.start(.init(tls: tls, injectAfterSTARTTLS: "554 injected before TLS"))
        defer { server.stop() }
        let port = server.port
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
