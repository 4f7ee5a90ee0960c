import Synchronization
import Testing

@testable import SesameStore

@Suite("A deadline on a database call")
struct DeadlineTests {
    @Test("The value arrives when the call finishes in time")
    func inTime() async throws {
        let value = try await withDeadline(.seconds(5)) { 42 }
        #expect(value == 42)
    }

    @Test("The call's error reaches the caller")
    func failure() async {
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await withDeadline(.seconds(5)) { () async throws -> Int in throw Refused() } }
    }

    @Test("A call that ignores its cancellation no longer holds the caller past the deadline")
    func stubbornCall() async throws {
        let release = Mutex(false)
        let clock = ContinuousClock()
        let start = clock.now
        let value = try await withDeadline(.milliseconds(100)) { () async -> Int in
            // Polls a flag rather than sleeping, as a pool waiting for a connection would: cancellation goes unheard.
            while !release.withLock({ $0 }) { await Task.yield() }
            return 1
        }
        let waited = clock.now - start
        release.withLock { $0 = true }
        #expect(value == nil)
        #expect(waited < .seconds(5))
    }
}
