/// Sends codes and notices to people: SMTP, an SMS/voice provider, or the development console outbox.
public protocol MessageSender: Sendable {
    /// Sends `message`; throws ``DeliveryError`` when the channel refused or could not be reached.
    func send(_ message: OutgoingMessage) async throws
}

/// Why a message did not leave.
public struct DeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
