/// Failures every store adapter reports the same way.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A user with this user ID already exists.
    case duplicateUserID(String)
    case notFound(String)
    /// Someone else saved first (optimistic concurrency); reload and try again.
    case conflict(String)
    /// The database could not be reached or answered with an error.
    case unavailable(String)

    public var description: String {
        switch self {
        case .duplicateUserID(let id): "a user with user ID \(id) already exists"
        case .notFound(let what): "\(what) not found"
        case .conflict(let what): "\(what) was changed by someone else; try again"
        case .unavailable(let reason): "the database is unavailable: \(reason)"
        }
    }
}
