import Foundation
import Logging
import SesameCore
import ServiceLifecycle

/// Deletes expired sessions and code challenges, and settled throttle counters (a spent CAPTCHA token is one), now
/// and then, so that the store does not grow with dead rows.
/// Several instances may sweep at once: deleting what is expired is harmless to repeat.
struct Sweeper: Service {
    let store: any Store
    let clock: any WallClock
    let interval: Duration
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sweep()
                // Cancelled at shutdown: the loop ends, rather than the server ending with an error.
                try? await Task.sleep(for: interval)
            }
        }
    }

    func sweep() async {
        do {
            let now = clock.now
            let sessions = try await store.deleteSessions(expiredBefore: now)
            let challenges = try await store.deleteChallenges(expiredBefore: now.addingTimeInterval(-3_600))
            let throttles = try await store.deleteThrottles(settledBefore: now.addingTimeInterval(-ThrottleKind.longestWindow), now: now)
            if sessions + challenges + throttles > 0 {
                logger.debug("swept expired rows", metadata: ["sessions": "\(sessions)", "challenges": "\(challenges)", "throttles": "\(throttles)"])
            }
        } catch {
            // The store may be down for a moment; the next round tries again.
            logger.warning("sweep failed", metadata: ["error": "\(error)"])
        }
    }
}
