import NIOCore
import NIOPosix
import NIOSSL
import SesameCore

/// A connection to the mail server and the task that speaks on it. Messages are handed to that task one at a time,
/// so the connection outlives the send that opened it and carries the next message without a new handshake, TLS
/// negotiation or sign-in (docs/architecture.md#mail-connections). After any failure the connection closes.
final class SMTPConnection: Sendable {
    private let channel: any Channel
    private let jobs: AsyncStream<Job>.Continuation
    private let conversation: Task<Void, Never>
    /// When it was opened: ``SMTPConnectionPool`` stops reusing a connection past its lifetime.
    let opened: ContinuousClock.Instant

    private struct Job: Sendable {
        let message: String
        let recipient: String
        let done: CheckedContinuation<Void, any Error>
    }

    private init(channel: any Channel, jobs: AsyncStream<Job>.Continuation, conversation: Task<Void, Never>) {
        self.channel = channel
        self.jobs = jobs
        self.conversation = conversation
        self.opened = .now
    }

    /// Whether the server may still be listening: a connection it closed while idle says so here.
    var isOpen: Bool { channel.isActive }

    /// Connects; greeting, TLS and sign-in follow on the connection's task, with the first message.
    static func open(settings: SMTPSettings, tls: NIOSSLContext, group: any EventLoopGroup) async throws -> SMTPConnection {
        let (channel, handshake) = try await connect(settings: settings, tls: tls, group: group)
        let (stream, jobs) = AsyncStream.makeStream(of: Job.self)
        let conversation = Task {
            _ = try? await channel.executeThenClose { inbound, outbound in
                var session = SMTPSession(channel: channel.channel, settings: settings, tls: tls, inbound: inbound, outbound: outbound, handshake: handshake)
                await converse(&session, jobs: stream, closing: jobs, channel: channel.channel, timeout: settings.timeout)
            }
        }
        return SMTPConnection(channel: channel.channel, jobs: jobs, conversation: conversation)
    }

    /// Sends `message` to `recipient` on this connection. Cancelling the caller closes the connection.
    func send(_ message: String, to recipient: String) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
                if case .terminated = jobs.yield(Job(message: message, recipient: recipient, done: done)) {
                    done.resume(throwing: DeliveryError("the connection to the mail server was closed", transient: true))
                }
            }
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    /// Ends the conversation once the message under way, if any, has left: QUIT, then the connection closes, before
    /// this returns, so that a connection opened next does not briefly make one more than the server allows.
    func close() async {
        jobs.finish()
        await conversation.value
    }

    /// Takes messages until the connection is closed or one fails, opening the session with the first; every job
    /// handed over is answered exactly once, any still waiting after a failure with that failure.
    private static func converse(
        _ session: inout SMTPSession, jobs: AsyncStream<Job>, closing continuation: AsyncStream<Job>.Continuation, channel: any Channel, timeout: Duration
    ) async {
        var failure: (any Error)?
        var opened = false
        for await job in jobs {
            if let failure {
                job.done.resume(throwing: failure)
                continue
            }
            do {
                try await within(timeout, closing: channel) {
                    if !opened { try await session.open() }
                    opened = true
                    try await session.transfer(job.message, to: job.recipient)
                }
                job.done.resume()
            } catch {
                failure = error
                continuation.finish()
                job.done.resume(throwing: error)
            }
        }
        // The answer to QUIT changes nothing: a server that is slow to give it is not waited for long.
        if failure == nil, opened { try? await within(min(timeout, .seconds(2)), closing: channel) { await session.quit() } }
    }

    private static func connect(
        settings: SMTPSettings, tls: NIOSSLContext, group: any EventLoopGroup
    ) async throws -> (NIOAsyncChannel<ByteBuffer, ByteBuffer>, EventLoopFuture<Void>?) {
        let (host, implicit) = (settings.host, settings.security == .implicit)
        do {
            return try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(Int64(settings.connectTimeout.seconds * 1e9)))
                .connect(host: host, port: settings.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handshake = implicit
                            ? try TLSHandshake.add(to: channel.pipeline.syncOperations, context: tls, host: host, eventLoop: channel.eventLoop) : nil
                        return (try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel), handshake)
                    }
                }
        } catch {
            throw DeliveryError("the mail server \(host):\(settings.port) could not be reached: \(error)", transient: true)
        }
    }

    /// Runs `body`, closing the connection (which ends any read) if it takes longer than `limit`.
    private static func within(_ limit: Duration, closing channel: any Channel, _ body: () async throws -> Void) async throws {
        let timer = Task {
            try await Task.sleep(for: limit)
            channel.close(promise: nil)
            return true
        }
        do {
            try await body()
            timer.cancel()
        } catch {
            timer.cancel()
            // A cancelled timer throws, so only a timer that fired answers `true`.
            if (try? await timer.value) == true { throw DeliveryError("the mail server did not answer within \(limit)", transient: true) }
            throw error
        }
    }
}
