import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SesameCore

extension HTTPClient {
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
        guard (200..<300).contains(response.status.code) else {
            throw DeliveryError.httpStatus(Int(response.status.code), from: provider)
        }
    }
}
