import Foundation

/// The directory's status, remembered for a while, so that readiness probes and admin pages do not each bind to
/// the directory (the spec's writeback agent reports a heartbeat every 5 minutes; this checks at most twice a minute).
public actor DirectoryMonitor {
    private let directory: (any Directory)?
    private let clock: any WallClock
    private let lifetime: TimeInterval
    private var last: (at: Date, status: DirectoryStatus)?

    public init(directory: (any Directory)?, clock: any WallClock, lifetime: TimeInterval = 30) {
        self.directory = directory
        self.clock = clock
        self.lifetime = lifetime
    }

    public func status() async -> DirectoryStatus {
        guard let directory else { return .notConfigured(.notSet, detail: "") }
        if let last, clock.now.timeIntervalSince(last.at) < lifetime { return last.status }
        let status = await directory.status()
        last = (clock.now, status)
        return status
    }
}
