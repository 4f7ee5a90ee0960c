import SesameCore
import Synchronization

/// Records what would be sent, or fails every send, for the services' tests. The delivery queue itself is tested
/// over the real store in SesameDeliveryTests, and the portals' HTTP tests run it for real.
public final class RecordingSender: Outbox {
    public let failing: Bool
    private let sent = Mutex<[OutgoingMessage]>([])

    public init(failing: Bool = false) {
        self.failing = failing
    }

    public func send(_ message: OutgoingMessage) async throws {
        if failing { throw DeliveryError("provider unreachable") }
        sent.withLock { $0.append(message) }
    }

    public func post(_ message: OutgoingMessage) async throws {
        try await send(message)
    }

    public var messages: [OutgoingMessage] { sent.withLock { $0 } }
    public var lastCode: String? { messages.last.flatMap { $0.text.firstMatch(of: /\d{6}/).map { String($0.output) } } }
}
