import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SesameCore
import Synchronization
import Testing

@testable import SesameDelivery
import SesameTestSupport

@Suite struct WebhookSenderTests {
    let code = VerificationCode("042917")!

    @Test func postsTheContractPayloadSignedWithTheSecret() async throws {
        let provider = RecordingProvider()
        try await provider.run { url in
            let sender = WebhookSender(url: url, secret: "s3cret")
            try await sender.send(MessageComposer.verificationCode(code, channel: .sms, to: "+33612345678", organisation: "Contoso", language: .french))
            try await sender.send(MessageComposer.verificationCode(code, channel: .voice, to: "+33612345678", organisation: "Contoso", language: .english))
        }
        let requests = provider.requests
        #expect(requests.count == 2)
        let sms = try #require(try JSONSerialization.jsonObject(with: requests[0].body) as? [String: String])
        #expect(sms == ["channel": "sms", "to": "+33612345678", "locale": "fr", "text": "042917 est votre code de vérification Contoso. Il expire dans 5 minutes."])
        #expect(requests[0].contentType == "application/json")
        let expected = "sha256=" + HMAC<SHA256>.authenticationCode(for: requests[0].body, using: SymmetricKey(data: Data("s3cret".utf8)))
            .map { String(format: "%02x", $0) }.joined()
        #expect(requests[0].signature == expected)
        let voice = try #require(try JSONSerialization.jsonObject(with: requests[1].body) as? [String: String])
        #expect(voice["channel"] == "voice" && voice["text"]?.contains("0, 4, 2, 9, 1, 7") == true)
    }

    @Test func noSecretNoSignature() async throws {
        let provider = RecordingProvider()
        try await provider.run { url in
            try await WebhookSender(url: url, secret: nil).send(OutgoingMessage(channel: .sms, to: "+33612345678", language: .english, text: "123456"))
        }
        #expect(provider.requests.first?.signature == nil)
    }

    @Test(arguments: [HTTPResponse.Status.badRequest, .internalServerError, .serviceUnavailable])
    func providerErrorsAreDeliveryErrorsThatNameTheStatusNotTheText(_ status: HTTPResponse.Status) async throws {
        let provider = RecordingProvider(status: status)
        try await provider.run { url in
            do {
                try await WebhookSender(url: url, secret: nil).send(OutgoingMessage(channel: .sms, to: "+33612345678", language: .english, text: "code 123456"))
                Issue.record("\(status) was taken for success")
            } catch let error as DeliveryError {
                #expect(error.description == "the SMS webhook answered \(status.code)")
                #expect(!error.description.contains("123456"))
            }
        }
    }

    /// Before, `HTTPClient.shared` followed a 307 and posted the code, the number and the signature to the host the
    /// answer named.
    @Test(arguments: [HTTPResponse.Status.temporaryRedirect, .permanentRedirect, .found])
    func aProvidersRedirectIsNeverFollowed(_ status: HTTPResponse.Status) async throws {
        let elsewhere = RecordingProvider()
        try await elsewhere.run { elsewhereURL in
            let provider = RecordingProvider(status: status, location: elsewhereURL)
            try await provider.run { url in
                let message = OutgoingMessage(channel: .sms, to: "+33612345678", language: .english, text: "code 123456")
                await #expect(throws: DeliveryError.self) { try await WebhookSender(url: url, secret: "s").send(message) }
                let base = String(url.dropLast("/sms".count))
                await #expect(throws: DeliveryError.self) {
                    try await TwilioSender(accountSID: "AC1", authToken: "t", from: "+15550001111", baseURL: base).send(message)
                }
                #expect(provider.requests.count == 2)
            }
        }
        #expect(elsewhere.requests.isEmpty, "nothing reached the host the redirect named")
    }

    @Test func aSlowProviderTimesOut() async throws {
        let provider = RecordingProvider(delay: .seconds(3))
        try await provider.run { url in
            await #expect(throws: DeliveryError.self) {
                try await WebhookSender(url: url, secret: nil, timeout: .milliseconds(300)).send(OutgoingMessage(channel: .sms, to: "+33612345678", language: .english, text: "x"))
            }
        }
    }

    @Test func unreachableProviderAndEmailAreRefused() async throws {
        await #expect(throws: DeliveryError.self) {
            try await WebhookSender(url: "http://127.0.0.1:9/sms", secret: nil, timeout: .seconds(2)).send(OutgoingMessage(channel: .sms, to: "+1", language: .english, text: "x"))
        }
        await #expect(throws: DeliveryError.self) {
            try await WebhookSender(url: "http://127.0.0.1:9/sms", secret: nil).send(OutgoingMessage(channel: .email, to: "a@b.example", language: .english, text: "x"))
        }
    }
}
