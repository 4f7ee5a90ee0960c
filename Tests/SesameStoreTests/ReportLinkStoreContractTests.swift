import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// "This wasn't me" links (docs/behaviour.md#this-wasnt-me) on every adapter: found by their MAC, spent once, never
/// after their expiry, swept once expired, and gone with their user.
@Suite struct ReportLinkStoreContractTests {
    func link(for user: User, mac: [UInt8] = [1, 2, 3], expiresIn seconds: TimeInterval = ReportLink.lifetime) -> ReportLink {
        ReportLink(mac: mac, userID: user.id, event: .passwordReset, issuedAt: t0, expiresAt: t0.addingTimeInterval(seconds))
    }

    @Test(arguments: StoreAdapter.allCases)
    func aLinkIsSpentOnceAndNeverAfterItsExpiry(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = try sampleUser()
            try await store.insertUser(user)
            let live = link(for: user)
            try await store.insertReportLink(live)
            #expect(try await store.reportLink(mac: live.mac) == live)
            #expect(try await store.reportLink(mac: [9]) == nil)
            #expect(try await store.consumeReportLink(mac: live.mac, now: t0.addingTimeInterval(60))?.consumedAt == t0.addingTimeInterval(60))
            #expect(try await store.consumeReportLink(mac: live.mac, now: t0.addingTimeInterval(61)) == nil, "single use")
            #expect(try await store.reportLink(mac: live.mac)?.consumedAt == t0.addingTimeInterval(60))

            let old = link(for: user, mac: [4, 5, 6], expiresIn: 100)
            try await store.insertReportLink(old)
            #expect(try await store.consumeReportLink(mac: old.mac, now: t0.addingTimeInterval(100)) == nil, "expired at its expiry time")
            #expect(try await store.deleteReportLinks(expiredBefore: t0.addingTimeInterval(101)) == 1)
            #expect(try await store.reportLink(mac: old.mac) == nil)
            #expect(try await store.reportLink(mac: live.mac) != nil)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func simultaneousConfirmationsSpendALinkOnce(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = try sampleUser()
            try await store.insertUser(user)
            try await store.insertReportLink(link(for: user))
            let spent = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await store.consumeReportLink(mac: [1, 2, 3], now: t0) != nil } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(spent == 1)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func aDeletedUsersLinksGoWithThem(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = try sampleUser()
            try await store.insertUser(user)
            try await store.insertReportLink(link(for: user))
            try await store.deleteUser(id: user.id)
            #expect(try await store.reportLink(mac: [1, 2, 3]) == nil)
        }
    }
}
