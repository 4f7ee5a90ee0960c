import Foundation
import Logging
import SesameCore
import ServiceLifecycle

/// Deletes expired sessions, code challenges and lockouts of unknown user IDs, settled throttle counters (a spent CAPTCHA token is one), and audit
/// and activity rows older than the policy's retention, now and then, so that the store does not grow with dead rows
/// (docs/security.md#retention).
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
                + store.deleteReportLinks(expiredBefore: now) + store.deletePasskeyChallenges(expiredBefore: now.addingTimeInterval(-3_600))
            let throttles = try await store.deleteThrottles(settledBefore: now.addingTimeInterval(-ThrottleKind.longestWindow), now: now)
            let retention = try await store.policy()?.policy.activityRetentionDays ?? Policy.defaultRetentionDays
            let activity = try await store.deleteActivity(before: now.addingTimeInterval(-Double(retention) * 86_400))
            let lockouts = try await store.deleteLockouts(expiredBefore: now)
            let passes = try await store.deleteAccessPasses(expiredBefore: now)
            if sessions + challenges + throttles + activity + lockouts + passes > 0 {
                logger.debug("swept expired rows", metadata: [
                    "sessions": "\(sessions)", "challenges": "\(challenges)", "throttles": "\(throttles)", "activity": "\(activity)", "lockouts": "\(lockouts)",
                    "accessPasses": "\(passes)",
                ])
            }
        } catch {
            // The store may be down for a moment; the next round tries again.
            logger.warning("sweep failed", metadata: ["error": "\(error)"])
        }
    }
}
