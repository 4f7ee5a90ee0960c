import Foundation
import Synchronization

/// Starts the tests' child processes one at a time. Foundation's `Process.run()` on Linux crashed once inside
/// `memcpy` while other tests started processes on other threads; starting is quick, and waiting for a child is not
/// held up by the lock.
public enum ProcessLaunch {
    private static let starting = Mutex(())

    public static func run(_ process: Process) throws {
        try starting.withLock { _ in try process.run() }
    }
}
