import Foundation

/// The directory's status, remembered for a while, so that readiness probes, admin pages and anonymous reset starts
/// do not each bind to the directory (Entra's writeback agent reports a heartbeat every 5 minutes; this checks at most
/// twice a minute). Callers that arrive while a check runs wait for that check rather than start their own, so a burst
/// of reset starts opens one connection, not one each (docs/security.md#directory-status).
public actor DirectoryMonitor {
    private let directory: (any Directory)?
    private let clock: any WallClock
    private let lifetime: TimeInterval
    private var last: (at: Date, status: DirectoryStatus)?
    private var running: Task<DirectoryStatus, Never>?

    public init(directory: (any Directory)?, clock: any WallClock, lifetime: TimeInterval = 30) {
        self.directory = directory
        self.clock = clock
        self.lifetime = lifetime
    }

    public func status() async -> DirectoryStatus {
        guard let directory else { return .notConfigured(.notSet, detail: "") }
        if let last, clock.now.timeIntervalSince(last.at) < lifetime { return last.status }
        if let running { return await running.value }
        let check = Task { await directory.status() }
        running = check
        let status = await check.value
        last = (clock.now, status)
        running = nil
        return status
    }
}
