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
        /// Messages sent at once by this instance.
        public var workers = 4
        /// How long a claim lasts: longer than any sender's own timeout, so that a claim never lapses mid-send.
        public var lease: Duration = .seconds(120)
        /// How often an idle worker looks for messages queued by another instance, or due for a retry.
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
    /// Counts messages queued here, so that a worker that found nothing does not sleep through one queued meanwhile.
    private var queued = 0
    /// Messages a page here waits for, and those of them already finished: a page does not sleep through an outcome
    /// that arrived while it was reading the store.
    private var awaited: Set<UUID> = []
    private var finished: Set<UUID> = []
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
        let id = try await enqueue(message, lifetime: settings.codeLifetime, awaited: true)
        defer {
            awaited.remove(id)
            finished.remove(id)
        }
        let started = ContinuousClock.now
        while true {
            switch try await store.deliveryState(id) {
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
                if finished.remove(id) == nil { await pause(id, worker: false, upTo: .milliseconds(250)) }
            }
        }
    }

    public func post(_ message: OutgoingMessage) async throws {
        _ = try await enqueue(message, lifetime: settings.noticeLifetime)
    }

    private func enqueue(_ message: OutgoingMessage, lifetime: Duration, awaited: Bool = false) async throws -> UUID {
        let id = UUID()
        if awaited { self.awaited.insert(id) }
        let now = clock.now
        try await store.enqueue(QueuedMessage(
            id: id, channel: message.channel, sealed: try seal.seal(message, id: id), attempts: 0, enqueuedAt: now,
            expiresAt: now.addingTimeInterval(lifetime.seconds)))
        queued += 1
        // One message, one worker: waking them all would have each try a claim (a write) for nothing.
        if let worker = sleepers.first(where: { $0.value.isWorker })?.key { wake(worker) }
        return id
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
        while !Task.isCancelled, !stopping {
            do {
                let now = clock.now
                let seen = queued
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
                    if queued == seen { await pause(me, worker: true, upTo: settings.poll) }
                    continue
                }
                let provider = Provider(message.channel)
                sending[provider, default: 0] += 1
                await deliver(message)
                sending[provider, default: 1] -= 1
            } catch {
                // Cancelled mid-claim: a claim made all the same lapses with its lease.
                guard !Task.isCancelled else { return }
                logger.error("the delivery queue cannot reach the store", metadata: ["error": "\(error)"])
                await pause(me, worker: true, upTo: settings.poll)
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
        await Task {
            switch (sent, interrupted) {
            case (.success?, _): await self.record(.success(()), of: message, metadata: metadata)
            case (.failure(let error)?, false): await self.record(.failure(error), of: message, metadata: metadata)
            case (_, true): await self.handBack(message, metadata: metadata)
            // The sender failed without a verdict: the lease lapses and a worker tries again then.
            case (nil, false): break
            }
        }.value
        if awaited.contains(message.id) { finished.insert(message.id) }
        wake(message.id)
    }

    private func record(_ outcome: Result<Void, DeliveryError>, of message: QueuedMessage, metadata: Logger.Metadata) async {
        let provider = sender.provider(for: message.channel)
        do {
            switch outcome {
            case .success:
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
                    logger.error("message not sent", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                }
            }
        } catch {
            // The lease runs out and another worker tries again.
            logger.error("the delivery queue cannot record an outcome", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
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

    /// The channels of the providers that already take every worker but one (counting claims under way, whose
    /// channel may be theirs).
    private func busyChannels() -> Set<CodeChannel> {
        guard settings.workers > 1 else { return [] }
        return Provider.allCases.filter { sending[$0, default: 0] + claiming >= settings.workers - 1 }
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

    /// Waits until `key` is woken, `limit` passes, or the task is cancelled.
    private func pause(_ key: UUID, worker: Bool, upTo limit: Duration) async {
        guard !(worker && stopping) else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                sleepers[key] = (continuation, worker)
                Task { try? await Task.sleep(for: limit); self.wake(key) }
            }
        } onCancel: {
            Task { await self.wake(key) }
        }
    }

    private func wake(_ key: UUID) {
        sleepers.removeValue(forKey: key)?.continuation.resume()
    }
}

extension Duration {
    var seconds: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
