import Testing

/// Waits until `condition` holds, failing after `limit` (generous: a loaded CI machine can stall for seconds).
public func eventually(within limit: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("the condition did not hold within \(limit)")
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}
