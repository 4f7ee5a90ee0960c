import SesameCore

/// Sends SMS and voice through one sender and email through another.
public struct ChannelRouter: MessageSender {
    let phone: any MessageSender
    let email: any MessageSender

    public init(phone: any MessageSender, email: any MessageSender) {
        self.phone = phone
        self.email = email
    }

    public func provider(for channel: CodeChannel) -> String {
        (channel == .email ? email : phone).provider(for: channel)
    }

    public func send(_ message: OutgoingMessage) async throws {
        try await (message.channel == .email ? email : phone).send(message)
    }
}
