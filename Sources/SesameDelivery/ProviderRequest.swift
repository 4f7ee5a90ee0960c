import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SesameCore

extension HTTPClient {
    /// The client every SMS and voice provider is called with: it never follows a redirect, since following one would
    /// send the code, the phone number and the webhook's signature again to whatever host the answer names
    /// (docs/security.md#providers). It keeps as many connections to a provider as the delivery queue has workers,
    /// rather than AsyncHTTPClient's 8, past which sends would wait for one another. Like `.shared`, it lives as long
    /// as the process.
    public static let providers = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: Configuration(
            redirectConfiguration: .disallow,
            connectionPool: Configuration.ConnectionPool(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: DeliveryQueue.Settings.defaultWorkers)))

    /// Sends a provider request and reads its answer the way every HTTP provider is read: unreachable is transient,
    /// any 2xx is success, other statuses say whether retrying may help. The body is drained (bounded) so that the
    /// connection can be reused; it is never logged, since what was sent holds a code.
    func deliver(_ request: HTTPClientRequest, timeout: TimeAmount, provider: String) async throws {
        let response: HTTPClientResponse
        do {
            response = try await execute(request, timeout: timeout)
        } catch {
            throw DeliveryError("\(provider) could not be reached: \(error)", transient: true)
        }
        _ = try? await response.body.collect(upTo: 64 * 1024)
        if (300..<400).contains(response.status.code) {
            throw DeliveryError("\(provider) answered a redirect (\(response.status.code)), which is never followed")
        }
        guard (200..<300).contains(response.status.code) else {
            throw DeliveryError.httpStatus(Int(response.status.code), from: provider)
        }
    }
}
