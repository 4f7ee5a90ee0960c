import Foundation
import GRDB
import SesameCore
import SesameTestSupport
import Testing

@testable import SesameStore

/// The delivery queue's table, on every adapter: claims are exclusive, schedules and leases are kept, finished
/// messages lose their content.
@Suite struct DeliveryQueueStoreContractTests {
    func message(at date: Date = t0, expires: TimeInterval = 300) -> QueuedMessage {
        QueuedMessage(id: UUID(), channel: .sms, sealed: Data("sealed".utf8), attempts: 0, enqueuedAt: date, expiresAt: date.addingTimeInterval(expires))
    }

    /// Runs `body` with a store on `adapter` holding one message, claimed at `t0` by worker "a" for 60 s.
    func withClaimedByA(_ adapter: StoreAdapter, _ body: (any Store, QueuedMessage) async throws -> Void) async throws {
        try await adapter.withStore { store in
            let queued = message()
            try await store.enqueue(queued)
            _ = try await store.claimDeliveries(now: t0, owner: "a", leaseUntil: t0 + 60, limit: 1)
            try await body(store, queued)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func aClaimIsExclusiveUntilItsLeaseEnds(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let queued = message()
            try await store.enqueue(queued)
            let first = try await store.claimDeliveries(now: t0, owner: "a", leaseUntil: t0 + 60, limit: 10)
            #expect(first.map(\.id) == [queued.id])
            #expect(first.first?.attempts == 1 && first.first?.sealed == queued.sealed)
            #expect(try await store.claimDeliveries(now: t0 + 59, owner: "b", leaseUntil: t0 + 120, limit: 10).isEmpty)
            // The first worker vanished: once its lease ends, another takes the message, counting a second attempt.
            let second = try await store.claimDeliveries(now: t0 + 60, owner: "b", leaseUntil: t0 + 120, limit: 10)
            #expect(second.map(\.attempts) == [2])
            #expect(try await store.deliveryState(queued.id) == .pending(attempts: 2))
        }
    }

    /// A message queued already claimed (for a worker of the instance that queued it) is held by that claim like
    /// any other: no other worker takes it before the lease ends, and its owner may hand it back.
    @Test(arguments: StoreAdapter.allCases)
    func aMessageQueuedClaimedIsHeldByItsLease(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let original = message()
            let queued = QueuedMessage(
                id: original.id, channel: original.channel, sealed: original.sealed, attempts: 1, enqueuedAt: t0, expiresAt: original.expiresAt)
            try await store.enqueue(queued, claimedBy: DeliveryLease(owner: "a", until: t0 + 60))
            #expect(try await store.deliveryState(queued.id) == .pending(attempts: 1))
            #expect(try await store.claimDeliveries(now: t0 + 59, owner: "b", leaseUntil: t0 + 120, limit: 10).isEmpty)
            try await store.releaseDelivery(queued.id, owner: "a")
            let taken = try await store.claimDeliveries(now: t0 + 1, owner: "b", leaseUntil: t0 + 61, limit: 10)
            #expect(taken.map(\.id) == [queued.id] && taken.first?.attempts == 2 && taken.first?.sealed == queued.sealed)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func aClaimCanLeaveChannelsAlone(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let sms = message()
            let email = QueuedMessage(id: UUID(), channel: .email, sealed: Data("sealed".utf8), attempts: 0, enqueuedAt: t0, expiresAt: t0 + 300)
            try await store.enqueue(sms)
            try await store.enqueue(email)
            let claimed = try await store.claimDeliveries(now: t0, owner: "a", leaseUntil: t0 + 60, limit: 10, excluding: [.sms, .voice])
            #expect(claimed.map(\.id) == [email.id])
            #expect(try await store.claimDeliveries(now: t0, owner: "a", leaseUntil: t0 + 60, limit: 10, excluding: [.sms]).isEmpty)
            #expect(try await store.claimDeliveries(now: t0, owner: "a", leaseUntil: t0 + 60, limit: 10, excluding: [.email]).map(\.id) == [sms.id])
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func aClaimHandedBackIsClaimableAtOnce(_ adapter: StoreAdapter) async throws {
        try await withClaimedByA(adapter) { store, queued in
            // Only its owner hands a claim back.
            try await store.releaseDelivery(queued.id, owner: "b")
            #expect(try await store.claimDeliveries(now: t0 + 1, owner: "b", leaseUntil: t0 + 61, limit: 1).isEmpty)
            try await store.releaseDelivery(queued.id, owner: "a")
            #expect(try await store.claimDeliveries(now: t0 + 1, owner: "b", leaseUntil: t0 + 61, limit: 1).map(\.attempts) == [2])
            try await store.markDelivered(queued.id, at: t0 + 2)
            try await store.releaseDelivery(queued.id, owner: "b")
            #expect(try await store.deliveryState(queued.id) == .delivered)
            #expect(try await store.claimDeliveries(now: t0 + 3, owner: "a", leaseUntil: t0 + 63, limit: 1).isEmpty)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func retriesWaitForTheirTimeAndFinishedMessagesStay(_ adapter: StoreAdapter) async throws {
        try await withClaimedByA(adapter) { store, queued in
            try await store.markRetry(queued.id, next: t0 + 2, error: "503")
            #expect(try await store.claimDeliveries(now: t0 + 1, owner: "a", leaseUntil: t0 + 60, limit: 1).isEmpty)
            #expect(try await store.claimDeliveries(now: t0 + 2, owner: "a", leaseUntil: t0 + 60, limit: 1).count == 1)
            try await store.markDelivered(queued.id, at: t0 + 3)
            #expect(try await store.deliveryState(queued.id) == .delivered)
            // A late failure from a lapsed lease cannot undo a delivery.
            try await store.markFailed(queued.id, error: "late", at: t0 + 4)
            #expect(try await store.deliveryState(queued.id) == .delivered)
            #expect(try await store.claimDeliveries(now: t0 + 999, owner: "a", leaseUntil: t0 + 1_060, limit: 1).isEmpty)
            #expect(try await store.purgeDeliveries(finishedBefore: t0 + 3) == 0)
            #expect(try await store.purgeDeliveries(finishedBefore: t0 + 4) == 1)
            #expect(try await store.deliveryState(queued.id) == nil)
        }
    }

    /// What the metrics report as the queue's depth and the age of its oldest message: finished messages do not count.
    @Test(arguments: StoreAdapter.allCases)
    func theBacklogCountsWaitingMessagesAndTheOldestAge(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            #expect(try await store.deliveryBacklog(now: t0) == DeliveryBacklog(waiting: 0, oldestEnqueuedAt: nil, now: t0))
            let old = message(at: t0 - 90), recent = message(at: t0 - 5), sent = message(at: t0 - 300)
            for queued in [old, recent, sent] { try await store.enqueue(queued) }
            try await store.markDelivered(sent.id, at: t0 - 200)
            let backlog = try await store.deliveryBacklog(now: t0)
            #expect(backlog.waiting == 2 && backlog.oldestAge == 90)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func failuresAreKeptWithTheirReason(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let queued = message()
            try await store.enqueue(queued)
            try await store.markFailed(queued.id, error: "the SMS webhook answered 400", at: t0)
            #expect(try await store.deliveryState(queued.id) == .failed("the SMS webhook answered 400"))
            #expect(try await store.claimDeliveries(now: t0, owner: "a", leaseUntil: t0 + 60, limit: 1).isEmpty)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func concurrentWorkersNeverClaimAMessageTwice(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let messages = (0..<200).map { message(at: t0 + Double($0) / 1000) }
            for queued in messages { try await store.enqueue(queued) }
            let claimed = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var mine: [UUID] = []
                        while true {
                            let batch = try await store.claimDeliveries(now: t0 + 1, owner: "w\(worker)", leaseUntil: t0 + 60, limit: 3)
                            if batch.isEmpty { return mine }
                            mine += batch.map(\.id)
                        }
                    }
                }
                return try await group.reduce(into: [UUID]()) { $0 += $1 }
            }
            #expect(claimed.count == 200)
            #expect(Set(claimed) == Set(messages.map(\.id)))
        }
    }

    @Test func finishedMessagesLoseTheirContent() async throws {
        let store = try SQLiteStore(path: TemporaryFolder.make().appendingPathComponent("sesame.sqlite").path)
        let sent = message()
        let failed = message()
        try await store.enqueue(sent)
        try await store.enqueue(failed)
        try await store.markDelivered(sent.id, at: t0)
        try await store.markFailed(failed.id, error: "400", at: t0)
        let remaining = try await store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE sealed IS NOT NULL") }
        #expect(remaining == 0)
    }
}
