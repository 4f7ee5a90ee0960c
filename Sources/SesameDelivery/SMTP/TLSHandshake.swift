import NIOCore
import NIOSSL
import NIOTLS
import SesameCore

/// Adds TLS nearest the socket and reports how the handshake ended, so that a refused certificate is told as such
/// rather than as whatever read or write happened to notice the closed connection first.
enum TLSHandshake {
    static func add(to pipeline: ChannelPipeline.SynchronousOperations, context: NIOSSLContext, host: String, eventLoop: any EventLoop) throws -> EventLoopFuture<Void> {
        let tls = try NIOSSLClientHandler(context: context, serverHostname: host.isIPAddress ? nil : host)
        let watcher = Watcher(promise: eventLoop.makePromise())
        try pipeline.addHandler(tls, position: .first)
        try pipeline.addHandler(watcher, position: .after(tls))
        return watcher.promise.futureResult
    }

    /// Waits for `handshake`, turning its failure into a ``DeliveryError``.
    static func wait(for handshake: EventLoopFuture<Void>) async throws {
        do {
            try await handshake.get()
        } catch let error as NIOSSLError {
            throw DeliveryError("TLS with the mail server failed: \(error)")
        } catch let error as BoringSSLError {
            throw DeliveryError("TLS with the mail server failed: \(error)")
        } catch {
            throw DeliveryError("the connection to the mail server failed during TLS: \(error)", transient: true)
        }
    }

    final class Watcher: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        let promise: EventLoopPromise<Void>

        init(promise: EventLoopPromise<Void>) { self.promise = promise }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .handshakeCompleted = event as? TLSUserEvent { promise.succeed() }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            promise.fail(error)
            context.fireErrorCaught(error)
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.fail(ChannelError.ioOnClosedChannel)
            context.fireChannelInactive()
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            promise.fail(ChannelError.ioOnClosedChannel)
        }
    }
}
