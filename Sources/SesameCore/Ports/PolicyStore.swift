/// The organisation's policy, versioned so that two administrators saving at once cannot overwrite each other.
public protocol PolicyStore: Sendable {
    /// The saved policy and its version, or `nil` before the first save (the defaults apply).
    func policy() async throws -> VersionedPolicy?
    /// Saves `policy` if the stored version is still `expectedVersion` (0 before the first save); returns the new
    /// version, or throws ``StoreError/conflict(_:)``.
    func savePolicy(_ policy: Policy, expectedVersion: Int) async throws -> Int
}

public struct VersionedPolicy: Sendable, Hashable {
    public let policy: Policy
    public let version: Int

    public init(policy: Policy, version: Int) {
        self.policy = policy
        self.version = version
    }
}
