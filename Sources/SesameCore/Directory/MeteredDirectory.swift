/// A directory whose every call is counted and timed (docs/operations.md#metrics): the operator sees a slow or
/// refusing directory before users do.
public struct MeteredDirectory: Directory {
    private let directory: any Directory
    private let metrics: SesameMetrics

    public init(_ directory: any Directory, metrics: SesameMetrics) {
        self.directory = directory
        self.metrics = metrics
    }

    public func authenticate(userID: String, password: String) async throws -> Bool {
        try await measure("authenticate") { try await directory.authenticate(userID: userID, password: password) } outcome: { $0 ? "success" : "refused" }
    }

    public func changePassword(userID: String, current: String, new: String) async throws {
        try await measure("change_password") { try await directory.changePassword(userID: userID, current: current, new: new) }
    }

    public func resetPassword(userID: String, new: String, mustChange: Bool) async throws {
        try await measure("reset_password") { try await directory.resetPassword(userID: userID, new: new, mustChange: mustChange) }
    }

    public func unlock(userID: String) async throws {
        try await measure("unlock") { try await directory.unlock(userID: userID) }
    }

    public func isLocked(userID: String) async throws -> Bool {
        try await measure("is_locked") { try await directory.isLocked(userID: userID) }
    }

    public func accountState(userID: String) async throws -> DirectoryAccountState {
        try await measure("account_state") { try await directory.accountState(userID: userID) }
    }

    public func entries() async throws -> [DirectoryEntry] {
        try await measure("entries") { try await directory.entries() }
    }

    public func status() async -> DirectoryStatus {
        let started = ContinuousClock.now
        let status = await directory.status()
        metrics.directoryCall("status", outcome: status.isConfigured ? "success" : "failure", took: ContinuousClock.now - started)
        return status
    }

    private func measure<Value>(
        _ operation: String, _ call: () async throws -> Value, outcome: (Value) -> String = { _ in "success" }
    ) async throws -> Value {
        let started = ContinuousClock.now
        do {
            let value = try await call()
            metrics.directoryCall(operation, outcome: outcome(value), took: ContinuousClock.now - started)
            return value
        } catch {
            metrics.directoryCall(operation, outcome: "failure", took: ContinuousClock.now - started)
            throw error
        }
    }
}
