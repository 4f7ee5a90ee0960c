import Foundation
import Logging
import SesameCore
import SesameStore
import ServiceLifecycle
import Synchronization
import Testing

@testable import SesameDelivery

/// The delivery queue on graceful shutdown (docs/operations.md#shutdown).
@Suite struct DeliveryShutdownTests {
    /// Sends to `slow…` in a fifth of a second; to anyone else, never (until cancelled).
    final class SlowAndHangingSender: MessageSender {
        private let started = Mutex<Int>(0)
        private let sent = Mutex<[String]>([])

        func provider(for channel: CodeChannel) -> String { "slow-or-hanging" }

        func send(_ message: OutgoingMessage) async throws {
            started.withLock { $0 += 1 }
            try await Task.sleep(for: message.to.hasPrefix("slow") ? .milliseconds(200) : .seconds(600))
            sent.withLock { $0.append(message.to) }
        }

        var starts: Int { started.withLock { $0 } }
        var recipients: [String] { sent.withLock { $0 } }
    }

    @Test func aSendUnderWayFinishesWithinTheGraceAndAHangingOneIsHandedBack() async throws {
        let store = try SQLiteStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("sesame-stop-\(UUID().uuidString).sqlite").path)
        let sender = SlowAndHangingSender()
        let queue = DeliveryQueue(store: store, sender: sender, secret: ServerSecret.generate(using: SystemRandomSource()), settings: DeliveryQueueTests.quick)
        let group = ServiceGroup(services: [DeliveryWorker(queue: queue, grace: .seconds(3))], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        for to in ["slow@contoso.example", "hangs@contoso.example"] {
            try await queue.post(OutgoingMessage(channel: .email, to: to, language: .english, subject: "Notice", text: "Your contact details changed."))
        }
        for _ in 0..<250 where sender.starts < 2 { try await Task.sleep(for: .milliseconds(20)) }
        try #require(sender.starts == 2, "both messages are being sent")

        let stopping = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        // The grace (3 s), not the hanging send (10 minutes) nor the lease (2 minutes): a bound well under the lease,
        // since a machine running the whole suite on two cores took 14 s to stop where an idle one takes 3.
        #expect(ContinuousClock.now - stopping < .seconds(60))
        #expect(sender.recipients == ["slow@contoso.example"], "the send under way finished; the hanging one was cancelled")
        // The finished one is recorded as sent; the other is claimable at once though its lease had two minutes to run.
        let claimable = try await store.claimDeliveries(now: Date(), owner: "next", leaseUntil: Date().addingTimeInterval(60), limit: 10)
        #expect(claimable.count == 1 && claimable.first?.attempts == 2)
    }
}
