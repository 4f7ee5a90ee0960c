import Foundation
import Logging
import SesameCore

/// The delivery queue: messages go into the store (sealed) and workers send them off the request path, retrying
/// transient failures with backoff until the message expires. Any instance's workers may send any instance's
/// messages, and a claim is atomic, so a message leaves once. A page that needs the outcome waits for it. On shutdown
/// the workers claim nothing more, sends under way get a moment to finish, and what is still unfinished is handed back
/// (docs/operations.md#shutdown).
public actor DeliveryQueue: Outbox {
    public struct Settings: Sendable {
        /// Messages sent at once by this instance. Sends wait on the provider, not on the processor: with 4, a phone
        /// provider held 3 at a time, and a gateway answering in 5 ms capped the instance at 600 codes a second
        /// (one answering in 300 ms, at 10); idle workers cost nothing, since only one of them looks in the store.
        public static let defaultWorkers = 16
        public var workers = defaultWorkers
        /// Messages the mail server is sent at once, one session each: Exchange Online lets a mailbox hold 3
        /// sessions and answers "432 4.3.2" past them, which would only be retried.
        public static let defaultMailSessions = 3
        public var mailSessions = defaultMailSessions
        /// How long a claim lasts: longer than any sender's own timeout, so that a claim never lapses mid-send.
        public var lease: Duration = .seconds(120)
        /// How often the idle workers look for messages queued by another instance, or due for a retry: one of them
        /// keeps that watch (docs/architecture.md#one-request-end-to-end).
        public var poll: Duration = .seconds(1)
        /// How long a page waits for its code to leave before it says "Oops!".
        public var pageWait: Duration = .seconds(8)
        /// Backoff: `firstRetry`, doubling, at most `longestRetry`, for as long as the message is worth sending: a
        /// notice queued while the mail server is down for an hour leaves when it is back (a cap of 8 attempts once
        /// dropped notices after about a minute, found by scripts/faults).
        public var firstRetry: Duration = .milliseconds(500)
        public var longestRetry: Duration = .seconds(60)
        /// A code is worth sending for its lifetime; a notice for a day.
        public var codeLifetime: Duration = .seconds(300)
        public var noticeLifetime: Duration = .seconds(86_400)
        /// Finished messages (their content already erased) are kept this long, then forgotten.
        public var keepFinished: Duration = .seconds(86_400)

        public init() {}
    }

    private let store: any DeliveryQueueStore
    private let sender: any MessageSender
    private let seal: MessageSeal
    private let clock: any WallClock
    private let settings: Settings
    private let logger: Logger
    private let metrics: SesameMetrics
    private let owner = UUID().uuidString
    /// Idle workers (keyed by worker) and pages waiting for a message (keyed by message), woken early when a
    /// message is queued or sent here; otherwise they look again after a pause.
    private var sleepers: [UUID: (continuation: CheckedContinuation<Void, Never>, isWorker: Bool)] = [:]
    /// The idle worker that looks in the store every `poll`; the others sleep until woken, so that an idle instance
    /// makes one claim a poll whatever its number of workers.
    private var watcher: UUID?
    /// Messages queued here already claimed for an idle worker, keyed by worker: it sends them without a claim.
    private var handed: [UUID: QueuedMessage] = [:]
    /// Counts messages queued here for any worker to claim, so that a worker that found nothing does not sleep
    /// through one queued meanwhile.
    private var queued = 0
    /// Messages a page here waits for, and the outcomes a worker here has found for them: a page learns them without
    /// reading the store, and does not sleep through one that arrived while it was reading it.
    private var awaited: Set<UUID> = []
    private var outcomes: [UUID: DeliveryState] = [:]
    /// Sends under way by provider, and claims whose channel is not known yet: one provider may occupy every worker
    /// but one, so that a provider that hangs (an SMS gateway timing out) never holds up the other's codes.
    private var sending: [Provider: Int] = [:]
    private var claiming = 0
    /// Shutting down: workers finish what they hold and claim nothing more.
    private var stopping = false

    /// Who carries a channel: the mail server, or the SMS and voice provider.
    enum Provider: CaseIterable {
        case mail, phone

        init(_ channel: CodeChannel) { self = channel == .email ? .mail : .phone }

        var channels: Set<CodeChannel> { Set(CodeChannel.allCases.filter { Provider($0) == self }) }
    }

    public init(
        store: any DeliveryQueueStore, sender: any MessageSender, secret: ServerSecret, clock: any WallClock = SystemClock(),
        settings: Settings = Settings(), logger: Logger = Logger(label: "sesame.delivery"), metrics: SesameMetrics = .none
    ) {
        self.store = store
        self.sender = sender
        self.seal = MessageSeal(secret: secret)
        self.clock = clock
        self.settings = settings
        self.logger = logger
        self.metrics = metrics
    }

    // MARK: Queuing

    public func send(_ message: OutgoingMessage) async throws {
        // Time-ordered, as users' ids are: each new message lands at the end of the queue's index.
        let id = UUID.timeOrdered(at: clock.now)
        awaited.insert(id)
        defer {
            awaited.remove(id)
            outcomes.removeValue(forKey: id)
        }
        try await enqueue(message, id: id, lifetime: settings.codeLifetime)
        let started = ContinuousClock.now
        // Just queued: the store knows no more than this yet.
        var state: DeliveryState? = .pending(attempts: 0)
        while true {
            switch state {
            case .delivered?:
                return
            case .failed(let reason)?:
                throw DeliveryError(reason)
            case .pending?, nil:
                guard ContinuousClock.now - started < settings.pageWait else {
                    // The page gives up and its flow drops the code, so the message is no longer worth sending.
                    try await store.markFailed(id, error: "not sent within \(settings.pageWait)", at: clock.now)
                    throw DeliveryError("the message did not leave within \(settings.pageWait)", transient: true)
                }
                if outcomes[id] == nil { await pause(id, worker: false, upTo: .milliseconds(250)) }
                // Sent by a worker here, or else by another instance's, or retried: then only the store knows.
                if let known = outcomes.removeValue(forKey: id) { state = known } else { state = try await store.deliveryState(id) }
            }
        }
    }

    public func post(_ message: OutgoingMessage) async throws {
        try await enqueue(message, id: .timeOrdered(at: clock.now), lifetime: settings.noticeLifetime)
    }

    private func enqueue(_ message: OutgoingMessage, id: UUID, lifetime: Duration) async throws {
        let now = clock.now
        let sealed = try seal.seal(message, id: id)
        func queuedMessage(attempts: Int) -> QueuedMessage {
            QueuedMessage(id: id, channel: message.channel, sealed: sealed, attempts: attempts, enqueuedAt: now, expiresAt: now.addingTimeInterval(lifetime.seconds))
        }
        guard let (worker, continuation) = idleWorker(for: message.channel) else {
            try await store.enqueue(queuedMessage(attempts: 0))
            queued += 1
            // One message, one worker: waking them all would have each try a claim (a write) for nothing.
            if let worker = idleWorkerKey() { wake(worker) }
            return
        }
        // An idle worker here takes it, claimed in the write that queues it: no claim of its own. It counts as sent
        // on its provider from now on, and the worker ends that count once it is sent.
        let provider = Provider(message.channel)
        sending[provider, default: 0] += 1
        defer { continuation.resume() }
        let claimed = queuedMessage(attempts: 1)
        do {
            try await store.enqueue(claimed, claimedBy: DeliveryLease(owner: owner, until: now.addingTimeInterval(settings.lease.seconds)))
        } catch {
            sending[provider, default: 1] -= 1
            throw error
        }
        handed[worker] = claimed
    }

    /// Workers waiting for a message.
    var idleWorkers: Int { sleepers.values.filter(\.isWorker).count }

    /// Takes an idle worker that may send on `channel` out of the sleepers, to hand it a message; the caller resumes it.
    private func idleWorker(for channel: CodeChannel) -> (UUID, CheckedContinuation<Void, Never>)? {
        guard !stopping, !busyChannels().contains(channel), let worker = idleWorkerKey(), let sleeper = sleepers.removeValue(forKey: worker)
        else { return nil }
        // The watch passes at once to the next worker to be idle, not once this one has queued the message and resumed.
        if worker == watcher { watcher = nil }
        return (worker, sleeper.continuation)
    }

    /// An idle worker other than the watcher if there is one, so that the watch goes on while it works.
    private func idleWorkerKey() -> UUID? {
        let idle = sleepers.lazy.filter { $0.value.isWorker }.map(\.key)
        return idle.first { $0 != watcher } ?? idle.first
    }

    // MARK: Workers

    /// Runs this instance's workers until ``stop()`` is called and their sends are done, or the task is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.purge() }
            await withDiscardingTaskGroup { workers in
                for _ in 0..<settings.workers {
                    workers.addTask { await self.work() }
                }
            }
            group.cancelAll()
        }
    }

    /// Claims nothing more: idle workers return at once, busy ones once their message is sent or handed back.
    public func stop() {
        stopping = true
        for (key, sleeper) in sleepers where sleeper.isWorker { wake(key) }
    }

    private func work() async {
        let me = UUID()
        // When this worker last looked in the store, and the count of messages queued here then: one kept busy by
        // messages handed to it looks as often as an idle one, for those queued while every worker was busy, by
        // other instances, or due for a retry.
        var looked = ContinuousClock.now
        var seen = queued
        while true {
            // Handed over while it slept, even as the server stops: the message is claimed already.
            if let message = handed.removeValue(forKey: me) {
                await deliver(message)
                sending[Provider(message.channel), default: 1] -= 1
                let sinceLooked = ContinuousClock.now - looked
                if queued == seen, sinceLooked < settings.poll { await pause(me, worker: true, upTo: settings.poll - sinceLooked) }
                continue
            }
            guard !Task.isCancelled, !stopping else { return }
            do {
                let now = clock.now
                looked = ContinuousClock.now
                seen = queued
                let excluded = busyChannels()
                guard excluded.count < CodeChannel.allCases.count else {
                    // Every other worker is claiming at this moment: look again as soon as their claims are in.
                    await pause(me, worker: true, upTo: .milliseconds(20))
                    continue
                }
                claiming += 1
                let claimed: [QueuedMessage]
                do {
                    defer { claiming -= 1 }
                    claimed = try await store.claimDeliveries(
                        now: now, owner: owner, leaseUntil: now.addingTimeInterval(settings.lease.seconds), limit: 1, excluding: excluded)
                }
                guard let message = claimed.first else {
                    if queued == seen { await idle(me) }
                    continue
                }
                // There may be more (queued by another instance, due for a retry, or while every worker here was
                // busy): another idle worker looks too, and so on while claims find some.
                if let other = idleWorkerKey() { wake(other) }
                let provider = Provider(message.channel)
                sending[provider, default: 0] += 1
                await deliver(message)
                sending[provider, default: 1] -= 1
            } catch {
                // Cancelled mid-claim: a claim made all the same lapses with its lease.
                guard !Task.isCancelled else { return }
                logger.error("the delivery queue cannot reach the store", metadata: ["error": "\(error)"])
                // The watcher tries again after a poll, the others when woken: one attempt (and one line in the log) a
                // poll while the store is away, not one a worker.
                await idle(me)
            }
        }
    }

    private func deliver(_ message: QueuedMessage) async {
        let metadata: Logger.Metadata = ["message": "\(message.id)", "channel": "\(message.channel.rawValue)", "attempt": "\(message.attempts)"]
        let sent: Result<Void, DeliveryError>? =
            // Claimed late (its worker died, the store was away): a code past its lifetime is of no use to its owner
            // and a late notice misleads, so it never leaves (docs/behaviour.md#notices).
            clock.now >= message.expiresAt ? .failure(DeliveryError("expired before it could leave")) : await send(message)
        // A failure while cancelled may be the cancellation itself (a connection closed under the send).
        let interrupted = Task.isCancelled
        // In a task of its own, which shutting down does not cancel: an outcome left unrecorded would send the
        // message twice, or hold it until its lease lapses.
        let outcome: DeliveryState? = await Task {
            switch (sent, interrupted) {
            case (.success?, _): return await self.record(.success(()), of: message, metadata: metadata)
            case (.failure(let error)?, false): return await self.record(.failure(error), of: message, metadata: metadata)
            case (_, true):
                await self.handBack(message, metadata: metadata)
                return nil
            // The sender failed without a verdict: the lease lapses and a worker tries again then.
            case (nil, false): return nil
            }
        }.value
        if let outcome, awaited.contains(message.id) { outcomes[message.id] = outcome }
        wake(message.id)
    }

    /// Records the outcome of an attempt; what the page waiting for the message may take from it, `nil` while the
    /// message is still to leave (a retry).
    private func record(_ outcome: Result<Void, DeliveryError>, of message: QueuedMessage, metadata: Logger.Metadata) async -> DeliveryState? {
        let provider = sender.provider(for: message.channel)
        var state: DeliveryState?
        do {
            switch outcome {
            case .success:
                // Sent, whether or not the store hears of it: the page may go on.
                state = .delivered
                metrics.delivery(provider: provider, outcome: .sent)
                try await store.markDelivered(message.id, at: clock.now)
                logger.info("message sent", metadata: metadata)
            case .failure(let error):
                let next = clock.now.addingTimeInterval(backoff(after: message.attempts).seconds)
                let retries = error.isTransient && next < message.expiresAt
                metrics.delivery(provider: provider, outcome: retries ? .retry : .failed)
                if retries {
                    try await store.markRetry(message.id, next: next, error: error.description)
                    logger.warning("message not sent; will retry", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                } else {
                    try await store.markFailed(message.id, error: error.description, at: clock.now)
                    // Only once the store has it: otherwise the lease lapses and another worker tries again.
                    state = .failed(error.description)
                    logger.error("message not sent", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                }
            }
        } catch {
            // The lease runs out and another worker tries again.
            logger.error("the delivery queue cannot record an outcome", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
        return state
    }

    /// Shutting down interrupted the send: the message goes back to the queue at once, for the next instance (or
    /// this one after a restart) rather than after its lease (docs/operations.md#shutdown).
    private func handBack(_ message: QueuedMessage, metadata: Logger.Metadata) async {
        do {
            try await store.releaseDelivery(message.id, owner: owner)
            logger.info("message handed back to the queue on shutdown", metadata: metadata)
        } catch {
            logger.error("the delivery queue cannot hand a message back; it leaves once its lease lapses", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }

    /// Opens and sends the message; `nil` when the send ended without the sender's verdict (shutting down
    /// interrupted it).
    private func send(_ message: QueuedMessage) async -> Result<Void, DeliveryError>? {
        let content: OutgoingMessage
        do {
            content = try seal.open(message.sealed, id: message.id)
        } catch {
            return .failure(DeliveryError("the message cannot be opened with this server secret"))
        }
        do {
            try await sender.send(content)
            return .success(())
        } catch let error as DeliveryError {
            return .failure(error)
        } catch {
            return nil
        }
    }

    /// The channels of the providers that already take as many workers as they may (counting claims under way,
    /// whose channel may be theirs): every worker but one, so that a provider that hangs never holds up the other's
    /// messages, and for the mail server no more than its sessions.
    private func busyChannels() -> Set<CodeChannel> {
        guard settings.workers > 1 else { return [] }
        return Provider.allCases.filter { provider in
            let most = provider == .mail ? min(settings.mailSessions, settings.workers - 1) : settings.workers - 1
            return sending[provider, default: 0] + claiming >= most
        }
        .reduce(into: []) { $0.formUnion($1.channels) }
    }

    /// The wait before attempt `attempts + 1`.
    func backoff(after attempts: Int) -> Duration {
        min(settings.firstRetry * (1 << min(max(attempts - 1, 0), 20)), settings.longestRetry)
    }

    /// Forgets finished messages now and then.
    private func purge() async {
        while !Task.isCancelled {
            do {
                _ = try await store.purgeDeliveries(finishedBefore: clock.now.addingTimeInterval(-settings.keepFinished.seconds))
            } catch {
                logger.error("the delivery queue cannot purge finished messages", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(3600))
        }
    }

    /// A worker that found nothing: the first to be idle keeps watch on the store every `poll`, the others wait to be
    /// woken (a message handed over or queued here, the watcher's claim finding one, or shutting down).
    private func idle(_ me: UUID) async {
        if watcher == nil { watcher = me }
        await pause(me, worker: true, upTo: watcher == me ? settings.poll : nil)
        if watcher == me { watcher = nil }
    }

    /// Waits until `key` is woken, `limit` (if any) passes, or the task is cancelled.
    private func pause(_ key: UUID, worker: Bool, upTo limit: Duration?) async {
        guard !(worker && stopping) else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                sleepers[key] = (continuation, worker)
                if let limit { Task { try? await Task.sleep(for: limit); self.wake(key) } }
            }
        } onCancel: {
            Task { await self.wake(key) }
        }
    }

    private func wake(_ key: UUID) {
        if key == watcher { watcher = nil }
        sleepers.removeValue(forKey: key)?.continuation.resume()
    }
}

extension Duration {
    var seconds: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
