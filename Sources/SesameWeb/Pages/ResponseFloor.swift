import Hummingbird

/// Runs `body` and answers no sooner than `floor` after it started: where an outsider names a user ID, the work a
/// real account costs more than an unknown one (a few store queries, an email) hides under the floor
/// (docs/security.md#enumeration).
func answer(noSoonerThan floor: Duration, _ body: () async throws -> Response) async throws -> Response {
    let deadline = ContinuousClock.now.advanced(by: floor)
    let response = try await body()
    try await Task.sleep(until: deadline, clock: .continuous)
    return response
}

/// Runs `work` in the background a little after the answer has left (100 to 600 ms, at random): work that only a real
/// account causes (a report row, emails to administrators) then neither delays the answer nor competes with it for
/// the processor while it is being written (docs/security.md#enumeration).
func afterAnswering(_ work: @escaping @Sendable () async -> Void) {
    Task {
        try? await Task.sleep(for: .milliseconds(Int.random(in: 100...600)))
        await work()
    }
}
