import HTTPTypes
import Hummingbird
import Logging
import SesameCore

/// Liveness and readiness for load balancers and orchestrators (docs/security.md#readiness).
///
/// Readiness fails only when the store is unreachable; the body also reports delivery and directory, so that an
/// operator sees "not configured" at a glance. The directory's detail (server names, the library's errors) is
/// told only to a process on this machine (docs/security.md#readiness).
struct HealthController {
    typealias Context = WebContext

    let store: any Store
    let components: ComponentStatus
    let directory: DirectoryMonitor

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .get("live", use: live)
            .get("ready", use: ready)
    }

    @Sendable func live(_ request: Request, context: Context) async throws -> HealthReport {
        HealthReport(status: "live", store: nil, delivery: nil, directory: nil)
    }

    @Sendable func ready(_ request: Request, context: Context) async throws -> EditedResponse<HealthReport> {
        let detailed = Self.isLocal(peer: context.peerAddress, headers: request.headers)
        do {
            try await store.ping()
            return EditedResponse(status: .ok, response: await report(status: "ready", store: "ok", detailed: detailed))
        } catch {
            context.logger.error("readiness: store unreachable", metadata: ["error": "\(error)"])
            return EditedResponse(status: .serviceUnavailable, response: await report(status: "unavailable", store: "unreachable", detailed: detailed))
        }
    }

    /// Whether the request comes from this machine itself: a loopback peer that is not a reverse proxy forwarding
    /// someone else (a proxy adds `X-Forwarded-For` or `Forwarded`, and nobody outside can take it away). An
    /// unknown peer is not local.
    static func isLocal(peer: String?, headers: HTTPFields) -> Bool {
        guard let peer, peer == "::1" || peer.hasPrefix("127.") else { return false }
        let forwarded = HTTPField.Name("Forwarded").flatMap { headers[$0] }
        return headers[.xForwardedFor] == nil && forwarded == nil
    }

    /// The directory is reported, never a reason to be unready: local users can still reset without it.
    private func report(status: String, store: String, detailed: Bool) async -> HealthReport {
        let directory = await directory.status()
        let shown = detailed ? directory.description : (directory.isConfigured ? "configured" : "not configured")
        return HealthReport(status: status, store: store, delivery: components.delivery, directory: shown)
    }
}

/// How delivery is set up, as readiness reports it (the directory's status is checked live).
public struct ComponentStatus: Sendable {
    public var delivery: String

    public init(delivery: String) {
        self.delivery = delivery
    }
}

struct HealthReport: ResponseEncodable {
    let status: String
    let store: String?
    let delivery: String?
    let directory: String?
}
