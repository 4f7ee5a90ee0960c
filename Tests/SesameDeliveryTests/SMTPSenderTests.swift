import Foundation
import NIOCore
import NIOPosix
import SesameCore
import Testing

@testable import SesameDelivery
import SesameTestSupport

/// Real mail through the aiosmtpd sink that `scripts/test` starts: plain, STARTTLS, implicit TLS, AUTH, refusals.
@Suite struct SMTPSenderTests {
    let code = VerificationCode("042917")!
    let logo = Logo(data: Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]), type: "image/png")

    /// A generous timeout: these tests check what is said, not how fast. With the whole suite running on two cores,
    /// the sink once took over 10 s to get through a STARTTLS exchange. The timeout's own test sets its own.
    func settings(_ url: String, from: String = "Sesame <no-reply@sesame.example>", timeout: Duration = .seconds(60)) throws -> SMTPSettings {
        try SMTPSettings(url: url, from: from, timeout: timeout)
    }

    func recipient(_ prefix: String = "user") -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())@contoso.example" }

    func codeEmail(to address: String, language: Language = .french) -> OutgoingMessage {
        MessageComposer.verificationCode(code, channel: .email, to: address, organisation: "Contoso Électricité", language: language)
    }

    /// An Arabic email's HTML part reads right to left, its code still six digits in a row.
    @Test func anArabicEmailReadsRightToLeft() async throws {
        let sink = try SMTPSink.running()
        let to = recipient()
        try await SMTPSender(settings: settings("smtp://127.0.0.1:\(sink.plain)"), logo: { nil }).send(codeEmail(to: to, language: .arabic))
        let mail = try #require(try await sink.messages(to: to).first)
        #expect(mail.code == "042917" && mail.header("Content-Language") == "ar")
        #expect(try #require(mail.part("text/html")).text.contains("<html lang=\"ar\" dir=\"rtl\">"))
    }

    @Test func sendsAMultipartMessageWithEncodedHeadersAndTheLogo() async throws {
        let sink = try SMTPSink.running()
        let to = recipient()
        try await SMTPSender(settings: settings("smtp://127.0.0.1:\(sink.plain)", from: "no-reply@sesame.example"), logo: { logo }).send(codeEmail(to: to))
        let mail = try #require(try await sink.messages(to: to).first)
        #expect(mail.code == "042917")
        #expect(mail.header("Subject") == "Code de vérification de l’adresse e-mail du compte Contoso Électricité")
        // No sender name configured: the organisation's name is shown (docs/behaviour.md#administration).
        #expect(mail.header("From") == "Contoso Électricité <no-reply@sesame.example>")
        #expect(mail.header("X-MailFrom") == "no-reply@sesame.example")
        #expect(mail.header("Content-Type")?.hasPrefix("multipart/alternative") == true)
        let html = try #require(mail.part("text/html")).text
        #expect(html.contains("<h1 style=\"font-size:1.2em\">Contoso Électricité</h1>"))
        #expect(html.contains("042917"))
        #expect(html.contains("src=\"cid:logo@sesame\""))
        #expect(html.contains("<html lang=\"fr\" dir=\"ltr\">") && mail.header("Content-Language") == "fr")
        let image = try #require(mail.part("image/png"))
        #expect(image.body == logo.data)
        #expect(image.header("Content-ID") == "<logo@sesame>")
    }

    @Test func keepsALineThatStartsWithADot() async throws {
        let sink = try SMTPSink.running()
        let to = recipient()
        let text = "first line\n.hidden line\n..two dots\n.\nend"
        try await SMTPSender(settings: settings("smtp://127.0.0.1:\(sink.plain)")).send(
            OutgoingMessage(channel: .email, to: to, language: .english, subject: "Dots", text: text, organisation: "Contoso"))
        let mail = try #require(try await sink.messages(to: to).first)
        #expect(mail.part("text/plain")?.text == text)
        #expect(MailMessage.dataPayload("a\r\n.b\r\n.\r\n").hasPrefix("a\r\n..b\r\n..\r\n"))
    }

    @Test(arguments: ["starttls", "loginonly"])
    func upgradesWithSTARTTLSAndAuthenticates(shape: String) async throws {
        let sink = try SMTPSink.running()
        let port = shape == "starttls" ? sink.starttls : sink.loginonly
        let to = recipient()
        let password = sink.password.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed)!
        let url = "smtp://sesame:\(password)@localhost:\(port)?tls=required&cafile=\(sink.cafile)"
        try await SMTPSender(settings: settings(url)).send(codeEmail(to: to, language: .english))
        let mail = try #require(try await sink.messages(to: to).first)
        #expect(mail.code == "042917")
        #expect(mail.header("From") == "\"Sesame\" <no-reply@sesame.example>" || mail.header("From") == "Sesame <no-reply@sesame.example>")
    }

    @Test func speaksImplicitTLS() async throws {
        let sink = try SMTPSink.running()
        let to = recipient()
        let password = sink.password.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed)!
        try await SMTPSender(settings: settings("smtps://sesame:\(password)@localhost:\(sink.smtps)?cafile=\(sink.cafile)")).send(codeEmail(to: to))
        #expect(try await sink.messages(to: to).first?.code == "042917")
    }

    @Test func refusesACertificateItDoesNotTrust() async throws {
        let sink = try SMTPSink.running()
        let error = await #expect(throws: DeliveryError.self) {
            try await SMTPSender(settings: settings("smtp://localhost:\(sink.starttls)")).send(codeEmail(to: recipient()))
        }
        #expect(error?.description.contains("TLS") == true, "\(String(describing: error))")
        #expect(error?.isTransient == false)
    }

    @Test func refusesWrongCredentialsWithoutRepeatingThem() async throws {
        let sink = try SMTPSink.running()
        let error = await #expect(throws: DeliveryError.self) {
            try await SMTPSender(settings: settings("smtp://sesame:wrong-secret@localhost:\(sink.starttls)?cafile=\(sink.cafile)")).send(codeEmail(to: recipient()))
        }
        #expect(error?.description.contains("refused the SMTP credentials") == true)
        #expect(error?.description.contains("wrong-secret") == false)
    }

    @Test func neverSendsCredentialsInPlainText() async throws {
        let sink = try SMTPSink.running()
        let error = await #expect(throws: DeliveryError.self) {
            try await SMTPSender(settings: settings("smtp://sesame:secret@127.0.0.1:\(sink.plain)")).send(codeEmail(to: recipient()))
        }
        #expect(error?.description.contains("unencrypted") == true)
    }

    @Test func insistsOnSTARTTLSWhenRequired() async throws {
        let sink = try SMTPSink.running()
        let error = await #expect(throws: DeliveryError.self) {
            try await SMTPSender(settings: settings("smtp://127.0.0.1:\(sink.plain)?tls=required")).send(codeEmail(to: recipient()))
        }
        #expect(error?.description.contains("STARTTLS") == true)
    }

    @Test func tellsARefusedRecipientFromABusyOne() async throws {
        let sink = try SMTPSink.running()
        let sender = try SMTPSender(settings: settings("smtp://127.0.0.1:\(sink.plain)"))
        let refused = await #expect(throws: DeliveryError.self) { try await sender.send(codeEmail(to: recipient("refused"))) }
        #expect(refused?.description.contains("refused the recipient: 550") == true)
        #expect(refused?.isTransient == false)
        let busy = await #expect(throws: DeliveryError.self) { try await sender.send(codeEmail(to: recipient("busy"))) }
        #expect(busy?.description.contains("451") == true)
        #expect(busy?.isTransient == true)
    }

    @Test func anUnreachableServerIsTransient() async throws {
        let error = await #expect(throws: DeliveryError.self) {
            try await SMTPSender(settings: settings("smtp://127.0.0.1:9")).send(codeEmail(to: recipient()))
        }
        #expect(error?.isTransient == true)
    }

    /// The error says the timer fired (the sender only says "did not answer" then); the time limit catches a sender
    /// that would wait forever. Its elapsed time is not asserted: under CI's load a 300 ms timer once took 20 s.
    @Test(.timeLimit(.minutes(1))) func aServerThatNeverAnswersTimesOut() async throws {
        // Accepts the connection and says nothing.
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)
        let sender = try SMTPSender(settings: settings("smtp://127.0.0.1:\(port)", timeout: .milliseconds(300)))
        let error = await #expect(throws: DeliveryError.self) { try await sender.send(codeEmail(to: recipient())) }
        #expect(error?.description.contains("did not answer") == true)
        #expect(error?.isTransient == true)
    }

    @Test func encodedWordsStayShortAndWhole() {
        let subject = String(repeating: "Réinitialisation du mot de passe — ", count: 4)
        let encoded = MailMessage.encodedWords(subject)
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.count <= 75 })
        #expect(ReceivedMail.decodeWords(encoded.replacingOccurrences(of: "\r\n", with: "")) == subject)
        #expect(MailMessage.encodedWords("Plain subject") == "Plain subject")
    }

    @Test(arguments: [
        ("ftp://mail.example", "scheme"), ("smtp://", "must look like"), ("smtp://mail.example?tls=maybe", "tls=maybe"),
    ])
    func explainsABadURL(url: String, expected: String) {
        #expect(throws: ConfigurationProblem.self) { try SMTPSettings(url: url, from: "a@b.example") }
        do { _ = try SMTPSettings(url: url, from: "a@b.example") } catch { #expect(error.description.contains(expected)) }
    }

    @Test func readsTheURLAndTheSender() throws {
        let implicit = try SMTPSettings(url: "smtps://u%40x:p%3Aw@mail.example", from: "Contoso IT <it@contoso.example>")
        #expect(implicit.security == .implicit)
        #expect(implicit.port == 465)
        #expect(implicit.username == "u@x")
        #expect(implicit.password == "p:w")
        #expect(implicit.from.name == "Contoso IT")
        #expect(try SMTPSettings(url: "smtp://mail.example:587", from: "a@b.example").security == .opportunistic)
        #expect(throws: ConfigurationProblem.self) { try SMTPSettings(url: "smtp://mail.example", from: "not an address") }
    }
}
