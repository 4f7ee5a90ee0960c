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
