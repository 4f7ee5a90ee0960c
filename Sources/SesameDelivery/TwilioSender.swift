import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SesameCore

/// A Twilio-compatible provider: SMS through the Messages API, voice through the Calls API with TwiML `<Say>` in the
/// recipient's language. The base URL can point at any compatible service (or a local test server).
public struct TwilioSender: MessageSender {
    let accountSID: String
    let authToken: String
    let from: String
    let baseURL: String
    let client: HTTPClient
    let timeout: TimeAmount

    public init(
        accountSID: String, authToken: String, from: String, baseURL: String? = nil, client: HTTPClient = .providers,
        timeout: TimeAmount = .seconds(10)
    ) {
        self.accountSID = accountSID
        self.authToken = authToken
        self.from = from
        self.baseURL = (baseURL ?? "https://api.twilio.com").trimmingCharacters(in: ["/"])
        self.client = client
        self.timeout = timeout
    }

    public func provider(for channel: CodeChannel) -> String { "twilio" }

    public func send(_ message: OutgoingMessage) async throws {
        let (resource, fields): (String, [(String, String)]) =
            switch message.channel {
            case .sms: ("Messages", [("To", message.to), ("From", from), ("Body", message.text)])
            case .voice: ("Calls", [("To", message.to), ("From", from), ("Twiml", Self.twiml(message))])
            case .email: throw DeliveryError("the Twilio provider does not carry email")
            }
        var request = HTTPClientRequest(url: "\(baseURL)/2010-04-01/Accounts/\(accountSID)/\(resource).json")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Authorization", value: "Basic " + Data("\(accountSID):\(authToken)".utf8).base64EncodedString())
        request.body = .bytes(ByteBuffer(string: Self.form(fields)))
        try await client.deliver(request, timeout: timeout, provider: "the Twilio provider")
    }

    /// `<Response><Say language="fr-FR">…</Say></Response>`; the text already reads the digits apart, twice, in a
    /// language a voice speaks (`Language.spokenLanguage`).
    static func twiml(_ message: OutgoingMessage) -> String {
        let voice = message.language.speechTag ?? "en-US"
        return "<Response><Say language=\"\(voice)\">\(Markup.escape(message.text))</Say></Response>"
    }

    static func form(_ fields: [(String, String)]) -> String {
        fields.map { "\($0)=\($1.percentEncodedUnreserved)" }.joined(separator: "&")
    }
}
