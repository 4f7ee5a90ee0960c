import SesameCore
import Synchronization
import Testing

@testable import SesameDelivery

@Suite struct ConsoleSenderTests {
    @Test func printsMarkedMessagesInTheRecipientsLanguage() async throws {
        let printed = Mutex<[String]>([])
        let outbox = ConsoleSender { text in printed.withLock { $0.append(text) } }
        let code = VerificationCode("042917")!
        try await outbox.send(MessageComposer.verificationCode(code, channel: .sms, to: "+33612345678", organisation: "Contoso", language: .french))
        try await outbox.send(MessageComposer.verificationCode(code, channel: .email, to: "a@b.example", organisation: "Contoso", language: .english))
        let output = printed.withLock { $0 }
        #expect(output.count == 2)
        #expect(output[0].contains("DEVELOPMENT OUTBOX") && output[0].contains("sms to +33612345678 [fr]"))
        #expect(output[0].contains("042917 est votre code de vérification Contoso."))
        #expect(output[1].contains("Subject: Contoso account email verification code"))
        #expect(outbox.messages.map(\.channel) == [.sms, .email])
    }

    @Test func voiceReadsTheDigitsOneByOneTwice() {
        let message = MessageComposer.verificationCode(VerificationCode("123456")!, channel: .voice, to: "+33612345678", organisation: "Contoso", language: .english)
        #expect(message.text == "Hello. Your Contoso verification code is: 1, 2, 3, 4, 5, 6. Again, your code is: 1, 2, 3, 4, 5, 6.")
        #expect(!message.text.contains("123456"))
    }
}
