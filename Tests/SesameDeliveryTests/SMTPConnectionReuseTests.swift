import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SesameCore
import Testing

@testable import SesameDelivery
import SesameTestSupport

/// A connection to the mail server carries the next message too, and one the server dropped is replaced without the
/// message noticing (docs/architecture.md#mail-connections).
@Suite struct SMTPConnectionReuseTests {
    func recipient() -> String { "reuse-\(UUID().uuidString.prefix(8).lowercased())@contoso.example" }

    func email(to address: String) -> OutgoingMessage {
        MessageComposer.verificationCode(VerificationCode("042917")!, channel: .email, to: address, organisation: "Contoso", language: .english)
    }

    /// aiosmtpd names the client's address and port in each message it takes: the same port is the same connection,
    /// signed in once (on the STARTTLS server, over TLS with AUTH).
    @Test(arguments: ["plain", "starttls"]) func messagesInTurnShareOneConnection(shape: String) async throws {
        let sink = try SMTPSink.running()
        let url = shape == "plain"
            ? "smtp://127.0.0.1:\(sink.plain)" : "smtp://sesame:\(sink.password)@localhost:\(sink.starttls)?cafile=\(sink.cafile)"
        let sender = try SMTPSender(settings: SMTPSettings(url: url, from: "no-reply@sesame.example"))
        let recipients = [recipient(), recipient(), recipient()]
        for to in recipients { try await sender.send(email(to: to)) }
        var peers: [String] = []
        for to in recipients { peers.append(try #require(try await sink.messages(to: to).first?.header("X-Peer"))) }
        #expect(Set(peers).count == 1, "\(peers)")
    }

    /// Closed after a message, answering the next one "421" as a server tired of an idle client does, or having said
    /// something unasked: the next message leaves on a new connection, and nothing is lost or sent twice.
    @Test(arguments: [FakeSMTPServer.AfterMessage.close, .refuseNext, .strayLine]) func aConnectionTheServerDroppedIsReplaced(after: FakeSMTPServer.AfterMessage) async throws {
        let server = try await FakeSMTPServer.start(.init(afterMessage: after))
        defer { server.stop() }
        let sender = try SMTPSender(settings: SMTPSettings(url: "smtp://127.0.0.1:\(server.port)", from: "no-reply@sesame.example"))
        for _ in 0..<3 { try await sender.send(email(to: recipient())) }
        #expect(server.counts.messages == 3)
        #expect(server.counts.connections == 3)
    }

    /// A reply too many puts every later one a step behind: "DATA" would read the answer to "RCPT TO", and the end of
    /// the message the "354" to "DATA", taken for acceptance. The step's own code is expected, so the message is not
    /// sent, and the failure is worth retrying, on a new connection.
    @Test func repliesOutOfStepAreNotTakenForAcceptance() async throws {
        let server = try await FakeSMTPServer.start(.init(answersMailTwice: true))
        defer { server.stop() }
        let sender = try SMTPSender(settings: SMTPSettings(url: "smtp://127.0.0.1:\(server.port)", from: "no-reply@sesame.example"))
        let error = await #expect(throws: DeliveryError.self) { try await sender.send(email(to: recipient())) }
        #expect(error?.description.contains("out of step") == true)
        #expect(error?.isTransient == true)
        #expect(server.counts.messages == 0)
    }

    /// A line break in an address would end the command and start one of the sender's choosing, on a connection
    /// that carries other users' mail next: it is refused before anything is sent.
    @Test(arguments: ["a@contoso.example\r\nRSET", "a@contoso.example\nRSET", "a@contoso.example\rRSET"])
    func anAddressWithALineBreakIsRefused(address: String) async throws {
        let server = try await FakeSMTPServer.start()
        defer { server.stop() }
        let sender = try SMTPSender(settings: SMTPSettings(url: "smtp://127.0.0.1:\(server.port)", from: "no-reply@sesame.example"))
        let error = await #expect(throws: DeliveryError.self) { try await sender.send(email(to: address)) }
        #expect(error?.description.contains("line break") == true && error?.isTransient == false)
        #expect(server.counts.messages == 0)
    }

    /// A connection left unused for the idle time says QUIT and closes; the pool then has nothing to give.
    @Test(.timeLimit(.minutes(1))) func anIdleConnectionSaysQuitAndCloses() async throws {
        let server = try await FakeSMTPServer.start()
        defer { server.stop() }
        let pool = SMTPConnectionPool(idleTime: .milliseconds(200))
        let connection = try await open(server)
        try await connection.send("Subject: idle\r\n\r\nHello\r\n", to: recipient())
        await pool.giveBack(connection)
        while server.counts.quits == 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(server.counts == .init(connections: 1, messages: 1, quits: 1))
        #expect(await pool.take() == nil)
    }

    /// One past its lifetime is closed when handed back, not kept.
    @Test(.timeLimit(.minutes(1))) func aConnectionPastItsLifetimeIsNotKept() async throws {
        let server = try await FakeSMTPServer.start()
        defer { server.stop() }
        let pool = SMTPConnectionPool(lifetime: .zero)
        let connection = try await open(server)
        try await connection.send("Subject: old\r\n\r\nHello\r\n", to: recipient())
        await pool.giveBack(connection)
        #expect(await pool.take() == nil)
        while server.counts.quits == 0 { try await Task.sleep(for: .milliseconds(20)) }
    }

    /// A refused recipient ends the connection: the next message opens another.
    @Test func aFailureClosesTheConnection() async throws {
        let sink = try SMTPSink.running()
        let sender = try SMTPSender(settings: SMTPSettings(url: "smtp://127.0.0.1:\(sink.plain)", from: "no-reply@sesame.example"))
        let (first, second) = (recipient(), recipient())
        try await sender.send(email(to: first))
        await #expect(throws: DeliveryError.self) { try await sender.send(email(to: "refused-\(first)")) }
        try await sender.send(email(to: second))
        let peers = [try await sink.messages(to: first).first?.header("X-Peer"), try await sink.messages(to: second).first?.header("X-Peer")]
        #expect(peers[0] != nil && peers[0] != peers[1])
    }

    private func open(_ server: FakeSMTPServer) async throws -> SMTPConnection {
        let settings = try SMTPSettings(url: "smtp://127.0.0.1:\(server.port)", from: "no-reply@sesame.example")
        let tls = try NIOSSLContext(configuration: .makeClientConfiguration())
        return try await SMTPConnection.open(settings: settings, tls: tls, group: MultiThreadedEventLoopGroup.singleton)
    }
}
