/// Sends codes and notices to people: SMTP, an SMS/voice provider, or the development console outbox.
public protocol MessageSender: Sendable {
    /// Sends `message`; throws ``DeliveryError`` when the channel refused or could not be reached.
    func send(_ message: OutgoingMessage) async throws
    /// Who takes messages of `channel`, as metrics name it: smtp, webhook, twilio, console
    /// (docs/operations.md#metrics).
    func provider(for channel: CodeChannel) -> String
}

/// Why a message did not leave, and whether trying again later may help.
public struct DeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    /// A dropped connection, a timeout or a busy provider may pass; a refused recipient or a bad configuration will not.
    public let isTransient: Bool

    public init(_ description: String, transient: Bool = false) {
        self.description = description
        self.isTransient = transient
    }

    /// An HTTP provider's refusal: a timeout, a rate limit or a server error may pass, other statuses will not.
    public static func httpStatus(_ status: Int, from provider: String) -> DeliveryError {
        DeliveryError("\(provider) answered \(status)", transient: status == 408 || status == 429 || status >= 500)
    }
}
