import Hummingbird
import Logging
import SesameCore

/// What the web application needs from the composition root.
public struct WebDependencies: Sendable {
    public let store: any Store
    public let components: ComponentStatus

    public init(store: any Store, components: ComponentStatus) {
        self.store = store
        self.components = components
    }
}

/// Where the server listens.
public struct WebConfiguration: Sendable {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}

/// Builds the Sesame web application.
///
/// - Parameters:
///   - configuration: listen address.
///   - dependencies: the adapters the pages and API use.
///   - logger: the server's logger.
///   - onServerRunning: called once the socket is bound (tests and `serve` report the port here).
public func buildApplication(
    configuration: WebConfiguration,
    dependencies: WebDependencies,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(dependencies: dependencies),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// The routes, without a server: what HummingbirdTesting drives.
public func buildRouter(dependencies: WebDependencies) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.addMiddleware { LogRequestsMiddleware(.debug) }
    router.addRoutes(HealthController(store: dependencies.store, components: dependencies.components).endpoints, atPath: "/health")
    return router
}
