import MetricsTestKit
import SesameCore
import SesameDirectory
import SesameTestSupport
import Testing

/// Directory calls are counted by operation and outcome and timed (docs/operations.md#metrics), against the test
/// slapd: calls that succeed, one the directory refuses (an unknown user), one that cannot reach it. No wrong
/// password is tried: the test users lock after three, and other suites count theirs.
struct MeteredDirectoryTests {
    let target = TestDirectory.all[0]

    @Test func everyCallIsCountedByOperationAndOutcomeAndTimed() async throws {
        let recorded = TestMetrics()
        let metrics = SesameMetrics(factory: recorded)
        let directory = MeteredDirectory(try target.directory(), metrics: metrics)
        #expect(await directory.status() == .configured)
        #expect(try await directory.accountState(userID: target.user("alice")).disabled == false)
        await #expect(throws: (any Error).self) { try await directory.authenticate(userID: target.user("nobody-metered"), password: "Not!The-Pass-9") }
        let unreachable = MeteredDirectory(try target.directory { $0.url = "ldap://127.0.0.1:1" }, metrics: metrics)
        await #expect(throws: (any Error).self) { try await unreachable.isLocked(userID: target.user("alice")) }

        #expect(try recorded.expectCounter("sesame_directory_calls_total", [("operation", "status"), ("outcome", "success")]).totalValue == 1)
        #expect(try recorded.expectCounter("sesame_directory_calls_total", [("operation", "account_state"), ("outcome", "success")]).totalValue == 1)
        #expect(try recorded.expectCounter("sesame_directory_calls_total", [("operation", "authenticate"), ("outcome", "failure")]).totalValue == 1)
        #expect(try recorded.expectCounter("sesame_directory_calls_total", [("operation", "is_locked"), ("outcome", "failure")]).totalValue == 1)
        #expect(recorded.counterTotal(label: "sesame_directory_calls_total") == 4)
        for operation in ["status", "account_state", "authenticate", "is_locked"] {
            #expect(try recorded.expectTimer("sesame_directory_call_duration_seconds", [("operation", operation)]).values.count == 1)
        }
    }
}
