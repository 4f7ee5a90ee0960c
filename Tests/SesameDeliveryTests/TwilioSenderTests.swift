import Foundation
import HTTPTypes
import SesameCore
import SesameTestSupport
import Testing

@testable import SesameDelivery

@Suite struct TwilioSenderTests {
    @Test func smsThroughTheMessagesAPIAndCallsWithTwiML() async throws {
        let provider = RecordingProvider(status: .created)
        try await provider.run { url in
            let base = String(url.dropLast("/sms".count))
            let sender = TwilioSender(accountSID: "AC123", authToken: "tok", from: "+15550001111", baseURL: base)
            let code = VerificationCode("042917")!
            try await sender.send(MessageComposer.verificationCode(code, channel: .sms, to: "+33612345678", organisation: "Contoso", language: .english))
            try await sender.send(MessageComposer.verificationCode(code, channel: .voice, to: "+33612345678", organisation: "Contoso", language: .french))
        }
        let (sms, call) = (provider.requests[0], provider.requests[1])
        #expect(sms.path == "/2010-04-01/Accounts/AC123/Messages.json" && call.path == "/2010-04-01/Accounts/AC123/Calls.json")
        #expect(sms.authorization == "Basic " + Data("AC123:tok".utf8).base64EncodedString())
        #expect(sms.fields["To"] == "+33612345678" && sms.fields["From"] == "+15550001111" && sms.code == "042917")
        let twiml = try #require(call.fields["Twiml"])
        #expect(twiml.hasPrefix("<Response><Say language=\"fr-FR\">Bonjour. Votre code de vérification Contoso est : 0, 4, 2, 9, 1, 7."))
        #expect(twiml.hasSuffix("</Say></Response>"))
    }

    @Test func providerErrorsAndEmail() async throws {
        let provider = RecordingProvider(status: .unauthorized)
        try await provider.run { url in
            let sender = TwilioSender(accountSID: "AC1", authToken: "bad", from: "+1", baseURL: String(url.dropLast("/sms".count)))
            await #expect(throws: DeliveryError("the Twilio provider answered 401")) {
                try await sender.send(OutgoingMessage(channel: .sms, to: "+33612345678", language: .english, text: "123456"))
            }
            await #expect(throws: DeliveryError.self) {
                try await sender.send(OutgoingMessage(channel: .email, to: "a@b.example", language: .english, text: "x"))
            }
        }
    }

    @Test func twimlEscapesTheText() {
        let message = OutgoingMessage(channel: .voice, to: "+1", language: .english, text: "A & B <c>")
        #expect(TwilioSender.twiml(message) == "<Response><Say language=\"en-US\">A &amp; B &lt;c&gt;</Say></Response>")
    }
}
