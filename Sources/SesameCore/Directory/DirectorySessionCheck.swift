import Foundation

/// What the session of a directory user remembers of the account: what the directory said at sign-in, and when it
/// last confirmed that nothing changed since.
public struct DirectoryWatch: Sendable, Codable, Hashable {
    public let signedIn: DirectoryAccountState
    public var confirmedAt: Date

    public init(signedIn: DirectoryAccountState, confirmedAt: Date) {
        self.signedIn = signedIn
        self.confirmedAt = confirmedAt
    }
}

/// The directory has the last word on its users' sessions too: a password changed there, or an account locked or
/// disabled there, ends the Sesame sessions signed in before. The directory is asked once per `interval` per session
/// at most (docs/security.md#sessions-and-the-directory).
public struct DirectorySessionCheck: Sendable {
    private let directory: (any Directory)?
    private let status: DirectoryMonitor
    private let clock: any WallClock
    private let interval: TimeInterval
    /// How long an ordinary user's session outlives a directory that cannot confirm it; an administrator's ends at
    /// once.
    private let outageGrace: TimeInterval

    /// - Parameter status: the directory's remembered status, so that an outage costs one probe a while, not a
    ///   connection attempt per request.
    public init(directory: (any Directory)?, status: DirectoryMonitor, clock: any WallClock, interval: TimeInterval, outageGrace: TimeInterval = 3_600) {
        self.directory = directory
        self.status = status
        self.clock = clock
        self.interval = interval
        self.outageGrace = outageGrace
    }

    public enum Verdict: Sendable, Hashable {
        /// The session goes on, with this watch (confirmed again when it was due).
        case keep(DirectoryWatch)
        case end(Reason)
    }

    public enum Reason: String, Sendable, Hashable {
        case passwordChanged, locked, disabled
        /// The directory could not be asked.
        case unconfirmed

        /// For the audit log, in English like its other details.
        public var detail: String {
            switch self {
            case .passwordChanged: "the password was changed in the directory"
            case .locked: "the account is locked in the directory"
            case .disabled: "the account is disabled in the directory, or no longer there"
            case .unconfirmed: "the directory could not confirm the account"
            }
        }
    }

    /// The watch a new session of `userID` starts with; throws when the directory cannot say.
    public func watch(userID: String) async throws -> DirectoryWatch {
        guard let directory else { throw WritebackError.unavailable(reason: "no directory is configured") }
        return DirectoryWatch(signedIn: try await directory.accountState(userID: userID), confirmedAt: clock.now)
    }

    /// Whether directory users' sessions are watched at all: a directory is configured.
    public var isWatching: Bool { directory != nil }

    /// Whether `watch` is old enough to ask the directory again.
    public func isDue(_ watch: DirectoryWatch) -> Bool {
        clock.now.timeIntervalSince(watch.confirmedAt) >= interval
    }

    /// Asks the directory about `userID` when `watch` is due. An account it no longer finds ends like a disabled one.
    /// A directory that cannot be asked ends an administrator's session at once (what they can do is too much to
    /// allow unconfirmed), and a user's once it last confirmed it `outageGrace` ago: an outage does not sign every
    /// user out at once.
    public func check(_ watch: DirectoryWatch, userID: String, privileged: Bool) async -> Verdict {
        let now = clock.now
        guard isDue(watch) else { return .keep(watch) }
        if let directory, await status.status().isConfigured {
            do {
                let state = try await directory.accountState(userID: userID)
                if state.disabled { return .end(.disabled) }
                if state.locked { return .end(.locked) }
                if state.passwordChanged != watch.signedIn.passwordChanged { return .end(.passwordChanged) }
                return .keep(DirectoryWatch(signedIn: watch.signedIn, confirmedAt: now))
            } catch WritebackError.userNotFound {
                return .end(.disabled)
            } catch {
                // Unreachable meanwhile: as below.
            }
        }
        if privileged || now.timeIntervalSince(watch.confirmedAt) >= outageGrace { return .end(.unconfirmed) }
        return .keep(watch)
    }
}
