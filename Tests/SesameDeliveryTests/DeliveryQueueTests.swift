import Foundation
import Logging
import SesameCore
import SesameStore
import SesameTestSupport
import Synchronization
import Testing

@testable import SesameDelivery

/// A channel that fails as told, counting what it was asked to send.
final class ScriptedSender: MessageSender {
    private let script: Mutex<[DeliveryError?]>
    private let delivered = Mutex<[OutgoingMessage]>([])
    private let calls = Mutex(0)
    /// Sends under way, and the most there were at once.
    private let sending = Mutex((now: 0, most: 0))
    let delay: Duration

    /// - Parameter failures: the outcome of the first sends in order (`nil` succeeds); later sends succeed.
    init(failures: [DeliveryError?] = [], delay: Duration = .zero) {
        script = Mutex(failures)
        self.delay = delay
    }

    func provider(for channel: CodeChannel) -> String { "scripted" }

    func send(_ message: OutgoingMessage) async throws {
        calls.withLock { $0 += 1 }
        sending.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
        defer { sending.withLock { $0.now -= 1 } }
        if delay > .zero { try await Task.sleep(for: delay) }
        if let failure = script.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw failure }
        delivered.withLock { $0.append(message) }
    }

    var messages: [OutgoingMessage] { delivered.withLock { $0 } }
    var attempts: Int { calls.withLock { $0 } }
    var mostAtOnce: Int { sending.withLock { $0.most } }
}

@Suite struct DeliveryQueueTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sesame-queue-\(UUID().uuidString).sqlite").path
    let secret = ServerSecret.generate(using: SystemRandomSource())
    let message = MessageComposer.verificationCode(VerificationCode("042917")!, channel: .sms, to: "+33612345678", organisation: "Contoso", language: .french)

    static let quick = {
        var settings = DeliveryQueue.Settings()
        settings.poll = .milliseconds(20)
        settings.firstRetry = .milliseconds(10)
        // Generous, so that a loaded machine does not end a wait the test means to see through.
        settings.pageWait = .seconds(30)
        return settings
    }()

    func queue(_ sender: any MessageSender, store: SQLiteStore? = nil, settings: DeliveryQueue.Settings = quick) throws -> DeliveryQueue {
        DeliveryQueue(store: try store ?? SQLiteStore(path: path), sender: sender, secret: secret, settings: settings)
    }

    /// Runs `body` while `queues` work.
    func running(_ queues: DeliveryQueue..., body: () async throws -> Void) async throws {
        let workers = queues.map { queue in Task { await queue.run() } }
        defer { workers.forEach { $0.cancel() } }
        try await body()
    }

    @Test func aPageLearnsThatItsCodeLeft() async throws {
        let sender = ScriptedSender()
        let queue = try queue(sender)
        try await running(queue) { try await queue.send(message) }
        #expect(sender.messages == [message])
    }

    @Test func transientFailuresAreRetriedWithBackoff() async throws {
        let sender = ScriptedSender(failures: [DeliveryError("503", transient: true), DeliveryError("timeout", transient: true)])
        let queue = try queue(sender)
        try await running(queue) { try await queue.send(message) }
        #expect(sender.attempts == 3)
        #expect(sender.messages == [message])
        #expect(await queue.backoff(after: 1) == .milliseconds(10))
        #expect(await queue.backoff(after: 3) == .milliseconds(40))
        #expect(await queue.backoff(after: 40) == .seconds(60), "capped")
    }

    @Test func aRefusalEndsAtOnceAndThePageIsTold() async throws {
        let sender = ScriptedSender(failures: [DeliveryError("the SMS webhook answered 400")])
        let queue = try queue(sender)
        try await running(queue) {
            let error = await #expect(throws: DeliveryError.self) { try await queue.send(message) }
            #expect(error?.description == "the SMS webhook answered 400")
        }
        #expect(sender.attempts == 1)
    }

    @Test func retriesGoOnUntilTheMessageExpires() async throws {
        // Ten failures in a row, then the provider is back: backoff is 10, 20, 40, … ms, capped at 50 ms here.
        var settings = Self.quick
        settings.longestRetry = .milliseconds(50)
        // One worker, so no idle claims compete for the writer; and a page that waits long: this test is about
        // retries going on, and eleven attempts on a machine running every other test at once once took over 30 s.
        settings.workers = 1
        settings.pageWait = .seconds(240)
        let sender = ScriptedSender(failures: Array(repeating: DeliveryError("503", transient: true), count: 10))
        let queue = try queue(sender, settings: settings)
        try await running(queue) { try await queue.send(message) }
        #expect(sender.attempts == 11 && sender.messages == [message], "the eleventh attempt delivered it")
    }

    /// On a clock moved by hand, so that a loaded machine cannot let the code expire before its first attempt (a
    /// message claimed after its expiry never leaves).
    @Test func retriesStopWhenTheMessageExpires() async throws {
        let clock = ManualClock(t0)
        let sender = ScriptedSender(failures: Array(repeating: DeliveryError("503", transient: true), count: 10_000))
        let queue = DeliveryQueue(store: try SQLiteStore(path: path), sender: sender, secret: secret, clock: clock, settings: Self.quick)
        try await running(queue) {
            let page = Task { try await queue.send(message) }
            try await eventually { sender.attempts >= 1 }
            clock.advance(by: Self.quick.codeLifetime.seconds)
            await #expect(throws: DeliveryError.self) { try await page.value }
        }
        let attempts = sender.attempts
        try await Task.sleep(for: .milliseconds(200))
        #expect(attempts >= 1 && sender.attempts == attempts, "nothing more once the code expired and the page was told")
    }

    @Test func aPageStopsWaitingAndTheMessageIsDropped() async throws {
        var settings = Self.quick
        settings.pageWait = .milliseconds(200)
        let sender = ScriptedSender(failures: Array(repeating: DeliveryError("busy", transient: true), count: 1000))
        var slow = settings
        slow.firstRetry = .milliseconds(100)
        let queue = try queue(sender, settings: slow)
        try await running(queue) {
            let error = await #expect(throws: DeliveryError.self) { try await queue.send(message) }
            #expect(error?.isTransient == true)
        }
        let attempts = sender.attempts
        try await Task.sleep(for: .milliseconds(300))
        #expect(sender.attempts == attempts, "no retry after the page gave up")
    }

    @Test func aHangingPhoneProviderLeavesAWorkerForEmail() async throws {
        // Every SMS hangs for a minute (a gateway that does not answer); two workers, so one is kept for the others.
        var settings = Self.quick
        settings.workers = 2
        let phone = ScriptedSender(delay: .seconds(60))
        let mail = ScriptedSender()
        let queue = try queue(ChannelRouter(phone: phone, email: mail), settings: settings)
        let email = MessageComposer.verificationCode(VerificationCode("042917")!, channel: .email, to: "alice@example.org", organisation: "Contoso", language: .english)
        try await running(queue) {
            try await queue.post(message)
            try await queue.post(message)
            try await eventually { phone.attempts == 1 }
            // Both workers would be stuck on the SMS messages without the reserve; the page would wait in vain.
            try await queue.send(email)
        }
        #expect(mail.messages == [email] && phone.attempts == 1)
    }

    @Test func noticesArePostedWithoutWaiting() async throws {
        // A provider that takes a minute: `post` returns while the send is still under way.
        let sender = ScriptedSender(delay: .seconds(60))
        let queue = try queue(sender)
        try await running(queue) {
            try await queue.post(message)
            try await eventually { sender.attempts == 1 }
            #expect(sender.messages.isEmpty)
        }
    }

    @Test func aRestartLosesNothing() async throws {
        let first = try queue(ScriptedSender())
        try await first.post(message)  // queued, but this instance stops before any worker runs
        let sender = ScriptedSender()
        let second = try queue(sender)
        try await running(second) { try await eventually { sender.messages == [message] } }
    }

    /// Before, a message claimed after its expiry (a worker that died, a store that was away) was sent anyway: a
    /// code past its five minutes, a notice an hour late.
    @Test func aMessageClaimedAfterItExpiredNeverLeaves() async throws {
        let clock = ManualClock(t0)
        let store = try SQLiteStore(path: path)
        let first = DeliveryQueue(store: store, sender: ScriptedSender(), secret: secret, clock: clock, settings: Self.quick)
        try await first.post(message)  // queued, but this instance stops before any worker runs
        clock.advance(by: Self.quick.noticeLifetime.seconds)
        let sender = ScriptedSender()
        let second = DeliveryQueue(store: store, sender: sender, secret: secret, clock: clock, settings: Self.quick)
        try await running(second) {
            // Purging counts finished messages only: 1 once the worker has given it up.
            try await eventually { try await store.purgeDeliveries(finishedBefore: clock.now.addingTimeInterval(60)) == 1 }
        }
        #expect(sender.attempts == 0)
    }

    @Test func twoInstancesNeverSendTheSameMessageTwice() async throws {
        let (senderA, senderB) = (ScriptedSender(delay: .milliseconds(1)), ScriptedSender(delay: .milliseconds(1)))
        let queueA = try queue(senderA)
        let queueB = try queue(senderB, store: SQLiteStore(path: path))
        let messages = (0..<150).map { index in
            OutgoingMessage(channel: .sms, to: "+3361234\(String(format: "%04d", index))", language: .english, text: "n\(index)")
        }
        try await running(queueA, queueB) {
            for (index, message) in messages.enumerated() { try await (index.isMultiple(of: 2) ? queueA : queueB).post(message) }
            try await eventually { senderA.messages.count + senderB.messages.count >= messages.count }
            try await Task.sleep(for: .milliseconds(100))
        }
        let all = senderA.messages + senderB.messages
        #expect(all.count == messages.count)
        #expect(Set(all) == Set(messages))
        #expect(!senderA.messages.isEmpty && !senderB.messages.isEmpty, "both instances worked")
    }

    /// A message queued while a worker here waits is claimed in the write that queues it and handed to that worker;
    /// those queued while it is busy wait in the store for its next claim.
    @Test func anIdleWorkerIsHandedAMessageAndABusyOneClaimsTheRest() async throws {
        var settings = Self.quick
        settings.workers = 1
        // An idle worker that never looks by itself while the test runs: it claims only after a message was queued.
        settings.poll = .seconds(60)
        let store = ClaimCountingStore(try SQLiteStore(path: path))
        let sender = ScriptedSender(delay: .milliseconds(100))
        let queue = DeliveryQueue(store: store, sender: sender, secret: secret, settings: settings)
        try await running(queue) {
            try await eventually { await queue.idleWorkers == 1 }
            let messages = (0..<3).map { OutgoingMessage(channel: .sms, to: "+3361234000\($0)", language: .english, text: "n\($0)") }
            try await withThrowingTaskGroup(of: Void.self) { pages in
                for message in messages { pages.addTask { try await queue.send(message) } }
                try await pages.waitForAll()
            }
            #expect(Set(sender.messages) == Set(messages) && sender.attempts == 3)
        }
        #expect(store.claimed == 2, "the first was handed over, the two others claimed")
    }

    /// Before, every idle worker looked in the store at each poll: with 16 workers, 16 writes a second on an idle
    /// server.
    @Test func anIdleInstanceLooksInTheStoreOnceAPollWhateverItsWorkers() async throws {
        var settings = Self.quick
        settings.workers = 16
        settings.poll = .milliseconds(50)
        let store = ClaimCountingStore(try SQLiteStore(path: path))
        let queue = DeliveryQueue(store: store, sender: ScriptedSender(), secret: secret, settings: settings)
        try await running(queue) {
            try await eventually { await queue.idleWorkers == 16 }
            let (before, started) = (store.looks, ContinuousClock.now)
            try await Task.sleep(for: .milliseconds(500))
            let (looks, polls) = (store.looks - before, (ContinuousClock.now - started) / settings.poll)
            #expect(looks >= 1, "the watch goes on")
            #expect(Double(looks) <= polls + 2, "one look a poll (\(polls) polls), not one a worker: \(looks)")
        }
    }

    /// Messages left in the store by another instance, found by the worker keeping watch, are sent by several
    /// workers at once: each claim that finds one wakes another idle worker to look.
    @Test func aBacklogFoundInTheStoreIsSentBySeveralWorkers() async throws {
        var settings = Self.quick
        settings.workers = 6
        settings.poll = .milliseconds(100)
        // Long sends, so that the claims that wake one another overlap them even on a loaded machine.
        let sender = ScriptedSender(delay: .seconds(1))
        let store = try SQLiteStore(path: path)
        let elsewhere = try queue(ScriptedSender(), store: store)
        let here = try queue(sender, store: store, settings: settings)
        let messages = (0..<8).map { OutgoingMessage(channel: .sms, to: "+3361234000\($0)", language: .english, text: "n\($0)") }
        try await running(here) {
            try await eventually { await here.idleWorkers == 6 }
            for message in messages { try await elsewhere.post(message) }
            try await eventually { sender.messages.count == messages.count }
        }
        #expect(Set(sender.messages) == Set(messages))
        #expect(sender.mostAtOnce >= 3, "sent \(sender.mostAtOnce) at once by 6 workers")
    }

    /// With 16 workers the mail server would have been sent 15 messages at once, a session each.
    @Test func theMailServerIsSentNoMoreMessagesAtOnceThanItsSessions() async throws {
        let mail = ScriptedSender(delay: .milliseconds(200))
        let queue = try queue(ChannelRouter(phone: ScriptedSender(), email: mail))
        let emails = (0..<8).map { OutgoingMessage(channel: .email, to: "user\($0)@example.org", language: .english, text: "n\($0)") }
        try await running(queue) {
            try await eventually { await queue.idleWorkers == DeliveryQueue.Settings.defaultWorkers }
            for email in emails { try await queue.post(email) }
            try await eventually { mail.messages.count == emails.count }
        }
        #expect(Set(mail.messages) == Set(emails))
        #expect(mail.mostAtOnce > 1 && mail.mostAtOnce <= Self.quick.mailSessions, "\(mail.mostAtOnce) at once")
    }

    @Test func aMessageSealedUnderAnotherSecretFailsPlainly() async throws {
        let store = try SQLiteStore(path: path)
        try await DeliveryQueue(store: store, sender: ScriptedSender(), secret: .generate(using: SystemRandomSource())).post(message)
        let sender = ScriptedSender()
        let queue = try queue(sender, store: store)
        try await running(queue) {
            try await eventually {
                let claimable = try await store.claimDeliveries(now: Date(), owner: "probe", leaseUntil: Date(), limit: 1)
                return claimable.isEmpty
            }
        }
        #expect(sender.attempts == 0)
    }

    @Test func theStoreKeepsOnlyASealedCopy() throws {
        let seal = MessageSeal(secret: secret)
        let id = UUID()
        let sealed = try seal.seal(message, id: id)
        #expect(sealed.range(of: Data("042917".utf8)) == nil)
        #expect(try seal.open(sealed, id: id) == message)
        #expect(throws: (any Error).self) { try seal.open(sealed, id: UUID()) }
    }
}

/// A queue store that counts its claims, and the messages they returned.
final class ClaimCountingStore: DeliveryQueueStore {
    private let store: any DeliveryQueueStore
    private let claims = Mutex((calls: 0, messages: 0))

    init(_ store: any DeliveryQueueStore) { self.store = store }

    var claimed: Int { claims.withLock { $0.messages } }
    var looks: Int { claims.withLock { $0.calls } }

    func enqueue(_ message: QueuedMessage, claimedBy lease: DeliveryLease?) async throws { try await store.enqueue(message, claimedBy: lease) }
    func claimDeliveries(now: Date, owner: String, leaseUntil: Date, limit: Int, excluding excluded: Set<CodeChannel>) async throws -> [QueuedMessage] {
        let messages = try await store.claimDeliveries(now: now, owner: owner, leaseUntil: leaseUntil, limit: limit, excluding: excluded)
        claims.withLock { $0.calls += 1; $0.messages += messages.count }
        return messages
    }
    func markDelivered(_ id: UUID, at date: Date) async throws { try await store.markDelivered(id, at: date) }
    func markRetry(_ id: UUID, next: Date, error: String) async throws { try await store.markRetry(id, next: next, error: error) }
    func releaseDelivery(_ id: UUID, owner: String) async throws { try await store.releaseDelivery(id, owner: owner) }
    func markFailed(_ id: UUID, error: String, at date: Date) async throws { try await store.markFailed(id, error: error, at: date) }
    func deliveryState(_ id: UUID) async throws -> DeliveryState? { try await store.deliveryState(id) }
    func purgeDeliveries(finishedBefore date: Date) async throws -> Int { try await store.purgeDeliveries(finishedBefore: date) }
    func deliveryBacklog(now: Date) async throws -> DeliveryBacklog { try await store.deliveryBacklog(now: now) }
}
