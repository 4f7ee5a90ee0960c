import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import SesameCore

/// The generic SMS and voice webhook (README.md#configuration): a JSON `POST` of `channel`, `to`, `locale` and `text`,
/// signed with `X-Sesame-Signature: sha256=<hex HMAC-SHA256 of the body>` when a secret is set. Any 2xx is success.
///
/// The text holds the code, so neither it nor the body is ever logged; errors name the status, not the content.
public struct WebhookSender: MessageSender {
    let url: String
    let secret: String?
    let client: HTTPClient
    let timeout: TimeAmount

    public init(url: String, secret: String?, client: HTTPClient = .providers, timeout: TimeAmount = .seconds(10)) {
        self.url = url
        self.secret = secret
        self.client = client
        self.timeout = timeout
    }

    struct Payload: Encodable {
        let channel: String
        let to: String
        let locale: String
        let text: String
    }

    public func provider(for channel: CodeChannel) -> String { "webhook" }

    public func send(_ message: OutgoingMessage) async throws {
        guard message.channel != .email else { throw DeliveryError("the SMS webhook does not carry email") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(Payload(channel: message.channel.rawValue, to: message.to, locale: message.language.rawValue, text: message.text))
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let signature = Self.signature(of: body, secret: secret) { request.headers.add(name: "X-Sesame-Signature", value: signature) }
        request.body = .bytes(ByteBuffer(bytes: body))
        try await client.deliver(request, timeout: timeout, provider: "the SMS webhook")
    }

    /// `sha256=<hex>` of the raw body under the shared secret, or `nil` without a secret.
    public static func signature(of body: Data, secret: String?) -> String? {
        guard let secret, !secret.isEmpty else { return nil }
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.hex
    }
}
