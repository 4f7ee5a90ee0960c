import Foundation
import MetricsTestKit
import SesameCore
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameDelivery

/// Every attempt to send is counted by provider and outcome (docs/operations.md#metrics).
struct DeliveryMetricsTests {
    @Test func attemptsAreCountedAsSentRetriedOrFailed() async throws {
        let recorded = TestMetrics()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sesame-queue-\(UUID().uuidString).sqlite").path
        // A busy provider, then a refusal, then a send that goes through.
        let sender = ScriptedSender(failures: [DeliveryError("503", transient: true), DeliveryError("the SMS webhook answered 400")])
        let queue = DeliveryQueue(
            store: try SQLiteStore(path: path), sender: sender, secret: .generate(using: SystemRandomSource()), settings: DeliveryQueueTests.quick,
            metrics: SesameMetrics(factory: recorded))
        let message = MessageComposer.verificationCode(VerificationCode("042917")!, channel: .sms, to: "+33612345678", organisation: "Contoso", language: .english)
        let workers = Task { await queue.run() }
        defer { workers.cancel() }
        await #expect(throws: DeliveryError.self) { try await queue.send(message) }
        try await queue.send(message)
        for (outcome, count) in [("retry", 1), ("failed", 1), ("sent", 1)] {
            #expect(recorded.counterTotal(label: "sesame_deliveries_total", dimensions: [("provider", "scripted"), ("outcome", outcome)]) == Int64(count))
        }
    }
}
