import Foundation
import MetricsTestKit
import SesameCore
import SesameTestSupport
import Testing

/// Counting several limits at once (`Throttles.firstRefused`, docs/architecture.md, step 13): the refused one's
/// index, the limits after it untouched, its refusal counted for the operator, and a store's miscount an error.
@Suite struct ThrottlesTests {
    let store = InMemoryStore()
    let recorded = TestMetrics()

    @Test func theFirstRefusedIsNamedAndTheLimitsAfterItAreNotSpent() async throws {
        let throttles = Throttles(store: store, clock: ManualClock(t0), metrics: SesameMetrics(factory: recorded))
        let client = ThrottleKey(.clientSend, "203.0.113.1")
        let (number, user) = (ThrottleKey(.destinationPhone, "+33612345678"), ThrottleKey(.phoneSend, "alice"))
        for _ in 0..<5 { #expect(try await throttles.firstRefused([number]) == nil) }
        #expect(try await throttles.firstRefused([client, number, user]) == 1)
        #expect(try await store.throttleState(client)?.count == 1, "counted before the refusal")
        #expect(try await store.throttleState(user) == nil, "not spent after it")
        #expect(recorded.counterTotal(label: "sesame_throttle_blocks_total", dimensions: [("kind", "destinationPhone")]) == 1)
        #expect(try await throttles.firstRefused([client, user]) == nil)
    }

    @Test(arguments: [-1, 1])
    func aStoreThatMiscountsIsAnErrorNotAnAllowance(_ miscount: Int) async {
        let throttles = Throttles(store: MiscountingStore(miscount: miscount), clock: ManualClock(t0))
        await #expect(throws: StoreError.self) {
            try await throttles.firstRefused([ThrottleKey(.clientSend, "203.0.113.1"), ThrottleKey(.phoneSend, "alice")])
        }
    }
}

/// A store that answers for `miscount` more events than it is asked to count (fewer when negative), each allowed.
private struct MiscountingStore: ThrottleStore {
    let miscount: Int

    func recordEvents(_ events: [ThrottleEvent], now: Date) async throws -> [ThrottleOutcome] {
        Array(repeating: ThrottleOutcome(allowed: true, state: ThrottleState(count: 1, windowStart: now)), count: max(0, events.count + miscount))
    }

    func throttleStates(_ keys: [ThrottleKey]) async throws -> [ThrottleKey: ThrottleState] { [:] }
    func clearThrottles(subject: String, kinds: [ThrottleKind]) async throws {}
    func deleteThrottles(settledBefore cutoff: Date, now: Date) async throws -> Int { 0 }
}
