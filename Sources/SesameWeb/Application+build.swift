import Foundation
import Hummingbird
import Logging
import SesameCore
import ServiceLifecycle

/// What the web application needs from the composition root: the core services, wired once, and the web's own
/// settings.
public struct WebDependencies: Sendable {
    public let services: SesameServices
    public let components: ComponentStatus
    /// Cookies carry `Secure` and responses HSTS when Sesame is reached over https.
    public let secureCookies: Bool
    /// How soon a sign-in may answer; `nil` for twice a password hash plus 50 ms, measured at start (tests lower it:
    /// the timing test runs the real server).
    public let signInFloor: Duration?
    /// Reverse proxies on other machines whose `X-Forwarded-For` is believed (`SESAME_TRUSTED_PROXIES`).
    public let trustedProxies: Set<String>
    /// Where requests, resets, deliveries and directory calls are counted, and `/metrics` served; `nil` counts nothing.
    public let prometheus: PrometheusMetrics?

    public init(
        services: SesameServices, components: ComponentStatus, secureCookies: Bool, signInFloor: Duration? = nil,
        trustedProxies: Set<String> = [], prometheus: PrometheusMetrics? = nil
    ) {
        self.services = services
        self.components = components
        self.secureCookies = secureCookies
        self.signInFloor = signInFloor
        self.trustedProxies = trustedProxies
        self.prometheus = prometheus
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
///   - dependencies: the core services, built once by the composition root, and the web's settings.
///   - logger: the server's logger.
///   - services: what runs as long as the server (the store's client, the delivery queue's workers), stopped in
///     reverse order after the server.
///   - beforeServerStarts: runs once the services run and before the socket is bound (migrations, `serve`'s
///     preparations).
///   - onServerRunning: called once the socket is bound (tests and `serve` report the port here).
public func buildApplication(
    configuration: WebConfiguration,
    dependencies: WebDependencies,
    logger: Logger,
    services: [any Service] = [],
    beforeServerStarts: @escaping @Sendable () async throws -> Void = {},
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    var application = Application(
        router: try await buildRouter(dependencies: dependencies),
        server: .http1(configuration: .init(idleTimeout: .seconds(idleConnectionSeconds))),
        configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        services: services + [Sweeper(store: dependencies.services.store, clock: dependencies.services.clock, interval: .seconds(600), logger: logger)]
            + metricsServer(host: configuration.host, dependencies: dependencies, logger: logger),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
    application.beforeServerStarts(perform: beforeServerStarts)
    return application
}

/// `/metrics` on a port of its own, when `SESAME_METRICS_PORT` asks for one (docs/operations.md#metrics).
func metricsServer(host: String, dependencies: WebDependencies, logger: Logger) -> [any Service] {
    guard let prometheus = dependencies.prometheus, let port = prometheus.port else { return [] }
    let router = Router(context: WebContext.self)
    router.addRoutes(MetricsController(
        prometheus: prometheus, backlog: dependencies.services.store, clock: dependencies.services.clock, openWithoutToken: true).endpoints)
    return [Application(
        router: router, server: .http1(configuration: .init(idleTimeout: .seconds(idleConnectionSeconds))), configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
        logger: logger)]
}

/// Every port Sesame listens on closes a connection that neither sends nor reads for this many seconds. After refusing a
/// malformed request the server half-closes, and an idle client would otherwise keep its socket (and a file descriptor
/// of the process's) for as long as it likes, until the process can accept nothing on any port.
let idleConnectionSeconds: Int64 = 30

/// The routes, without a server: what HummingbirdTesting drives. Each controller gets what it uses of the services.
public func buildRouter(dependencies: WebDependencies) async throws -> Router<WebContext> {
    let core = dependencies.services
    let (store, clock, policies, proxies) = (core.store, core.clock, core.policies, dependencies.trustedProxies)
    let layout = PageLayout(renderer: try await PageRenderer.load(), policies: policies, branding: core.branding)
    let signedIn = SignedInUsers(store: store)
    let access = AdminAccess(signedIn: signedIn, layout: layout)
    // Sign-in answers no sooner than twice a hash and 50 ms: what differs between a real account and an unknown one
    // (a few store queries) hides under it, and it follows the hashing parameters (docs/security.md#enumeration).
    let signInFloor = dependencies.signInFloor ?? core.hashCost * 2 + .milliseconds(50)
    // HEAD is answered as GET on every route (docs/behaviour.md#head-requests).
    let router = Router(context: WebContext.self, options: .autoGenerateHeadEndpoints)
    if let prometheus = dependencies.prometheus {
        router.add(middleware: MetricsMiddleware(metrics: prometheus.metrics))
    }
    router.addMiddleware {
        HeadMiddleware()
        RequestLogMiddleware()
        SecurityHeadersMiddleware(strictTransport: dependencies.secureCookies)
    }
    router.addRoutes(HealthController(store: store, components: dependencies.components, directory: core.directoryStatus).endpoints, atPath: "/health")
    router.get("static/sesame.css", use: try StaticFile(named: "sesame.css", type: "text/css; charset=utf-8").respond)
    router.get("static/sesame.js", use: try StaticFile(named: "sesame.js", type: "text/javascript; charset=utf-8").respond)
    router.get("branding/logo") { _, _ -> Response in
        // Answered here rather than thrown, so that the security headers' middleware sees a response to dress.
        guard let logo = await core.branding.logo() else { return Response(status: .notFound) }
        // Short caching: a new logo shows within a minute.
        return Response(
            status: .ok, headers: [.contentType: logo.type, .cacheControl: "public, max-age=60"], body: .init(byteBuffer: ByteBuffer(bytes: logo.data)))
    }

    let organisation: @Sendable () async -> String = { (try? await policies.policy().organisationName) ?? Policy().organisationName }
    // Language and error pages wrap the whole router, so that an unknown path also gets a page in the user's language.
    router.addMiddleware {
        LanguageMiddleware(secureCookies: dependencies.secureCookies) { (try? await policies.policy().defaultLanguage) ?? .english }
        ErrorPageMiddleware(renderer: layout.renderer, organisation: organisation, hasLogo: { await core.branding.logo() != nil }) { typed, requestID in
            try? await core.resets.recordNoCookies(typedUserID: typed, requestID: requestID)
        }
        APIUnmatchedMiddleware()
    }
    if let prometheus = dependencies.prometheus, prometheus.port == nil {
        router.addRoutes(MetricsController(prometheus: prometheus, backlog: store, clock: clock, openWithoutToken: false).endpoints)
    }
    let api = router.group(RouterPath(APIUnmatchedMiddleware.prefix)).add(middleware: APIMiddleware(tokens: core.tokens))
    api.get("openapi.json", use: try StaticFile(named: "openapi.json", type: "application/json").respond)
    APIController(
        store: store, policies: policies, policyChanges: core.policyChanges, administration: core.administration,
        accessPasses: core.accessPasses, passkeys: core.passkeys, imports: core.imports, reports: core.reports, clock: clock
    ).add(to: api)
    let sessions = router.group()
        .add(middleware: SessionMiddleware(store: store, secret: core.secret, clock: clock, random: core.random, secureCookies: dependencies.secureCookies))
        .add(middleware: DirectorySessionMiddleware(check: core.directorySessions, store: store, clock: clock, random: core.random))
    let site = sessions.group().add(middleware: CSRFMiddleware(users: store))
    let passwordChange = PasswordChange(service: core.passwordChanges, policies: policies, directorySessions: core.directorySessions, clock: clock)
    site.addRoutes(AccountController(layout: layout, signedIn: signedIn, policies: policies, clock: clock, passwordChange: passwordChange, store: store).endpoints)
    site.addRoutes(SignInController(
        layout: layout, signedIn: signedIn, signIns: core.signIns, passkeys: core.passkeys, captcha: core.captcha, passwordChange: passwordChange, policies: policies,
        directorySessions: core.directorySessions, clock: clock, random: core.random, trustedProxies: proxies, floor: signInFloor
    ).endpoints)
    site.addRoutes(RegistrationController(
        layout: layout, signedIn: signedIn, policies: policies, trustedProxies: proxies, service: core.registrations, resets: core.resets,
        passkeys: core.passkeys
    ).endpoints)
    site.addRoutes(ResetController(
        layout: layout, service: core.resets, signedIn: signedIn, captcha: core.captcha, captchaGate: core.captchaGate, policies: policies, clock: clock,
        trustedProxies: proxies
    ).endpoints)
    site.addRoutes(ReportLinkController(layout: layout, links: core.reportLinks).endpoints)
    site.addRoutes(AdminPolicyController(
        layout: layout, access: access, policies: policies, policyChanges: core.policyChanges, directory: core.directoryStatus,
        directoryConfigured: core.directoryConfigured
    ).endpoints)
    site.addRoutes(AdminReportsController(layout: layout, access: access, reports: core.reports, store: store, policies: policies, clock: clock).endpoints)
    let users = AdminUsersController(
        layout: layout, access: access, administration: core.administration, accessPasses: core.accessPasses, passkeys: core.passkeys,
        imports: core.imports, passwords: core.passwords, store: store, clock: clock)
    let branding = AdminBrandingController(
        layout: layout, access: access, policies: policies, policyChanges: core.policyChanges, branding: core.brandingChanges, logos: core.branding)
    site.addRoutes(users.endpoints)
    site.addRoutes(branding.endpoints)
    // The routes that take a larger body than a form each bring their limit, and whom it is for, to their own form
    // reader (docs/security.md#body-limits).
    for large in [users.largeBodyEndpoints, branding.largeBodyEndpoints] {
        sessions.group().add(middleware: CSRFMiddleware(users: store, largeBody: large.limit)).addRoutes(large.routes)
    }
    return router
}

/// A file from `Public/`, read once and served with a day of caching.
struct StaticFile: Sendable {
    let body: ByteBuffer
    let type: String

    init(body: ByteBuffer, type: String) {
        self.body = body
        self.type = type
    }

    init(named name: String, type: String) throws {
        guard let url = Bundle.module.url(forResource: "Public/\(name)", withExtension: nil) else { throw PageError.notFound }
        body = ByteBuffer(bytes: try Data(contentsOf: url))
        self.type = type
    }

    @Sendable func respond(_ request: Request, context: some RequestContext) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=86400"], body: .init(byteBuffer: body))
    }
}
