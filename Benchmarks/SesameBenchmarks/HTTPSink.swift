import Hummingbird
import NIOCore

/// A local HTTP server that answers 200 to every POST: the SMS provider the delivery benchmark sends to.
struct HTTPSink {
    let url: String

    static func start() async throws -> HTTPSink {
        let router = Router()
        router.post("sms") { request, _ -> HTTPResponse.Status in
            _ = try await request.body.collect(upTo: 64 * 1024)
            return .ok
        }
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: quiet)
        Task { try await app.runService() }
        var ports = stream.makeAsyncIterator()
        return HTTPSink(url: "http://127.0.0.1:\(await ports.next()!)/sms")
    }
}
