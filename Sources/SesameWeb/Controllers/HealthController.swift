import Hummingbird
import Logging
import SesameCore

/// Liveness and readiness for load balancers and orchestrators (DESIGN.md §4).
///
/// Readiness fails only when the store is unreachable; the body also reports delivery and directory, so that an
/// operator sees "not configured" at a glance.
struct HealthController<Context: RequestContext> {
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
        do {
            try await store.ping()
            return EditedResponse(status: .ok, response: await report(status: "ready", store: "ok"))
        } catch {
            context.logger.error("readiness: store unreachable", metadata: ["error": "\(error)"])
            return EditedResponse(status: .serviceUnavailable, response: await report(status: "unavailable", store: "unreachable"))
        }
    }

    /// The directory is reported, never a reason to be unready: local users can still reset without it.
    private func report(status: String, store: String) async -> HealthReport {
        HealthReport(status: status, store: store, delivery: components.delivery, directory: await directory.status().description)
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
