import Foundation
import SesameCore
import Synchronization

// MARK: ReportLinkStore
extension InMemoryStore {
    /// A link belongs to a user that exists, as the adapters' foreign key requires.
    public func insertReportLink(_ link: ReportLink) async throws {
        try state.withLock { state in
            guard state.users[link.userID] != nil else { throw StoreError.unavailable("no user \(link.userID) for the link") }
            guard state.reportLinks[link.mac] == nil else { throw StoreError.conflict("report link") }
            state.reportLinks[link.mac] = link
        }
    }

    public func reportLink(mac: [UInt8]) async throws -> ReportLink? {
        state.withLock { $0.reportLinks[mac] }
    }

    public func consumeReportLink(mac: [UInt8], now: Date) async throws -> ReportLink? {
        state.withLock { state in
            guard var link = state.reportLinks[mac], link.isLive(at: now) else { return nil }
            link.consumedAt = now
            state.reportLinks[mac] = link
            return link
        }
    }

    public func deleteReportLinks(expiredBefore date: Date) async throws -> Int {
        state.withLock { state in
            let before = state.reportLinks.count
            state.reportLinks = state.reportLinks.filter { $0.value.expiresAt >= date }
            return before - state.reportLinks.count
        }
    }
}

extension ReportLinks {
    /// The public URL of links made in tests.
    public static let testURL = "http://sesame.test"

    /// Links for a service under test, under a fresh secret: a test reads them from the messages the service sends.
    public static func testing(store: any Store, clock: any WallClock, outbox: any Outbox) -> ReportLinks {
        ReportLinks(
            store: store, secret: .generate(using: SystemRandomSource()), random: SystemRandomSource(), clock: clock, outbox: outbox,
            publicURL: testURL)
    }
}
