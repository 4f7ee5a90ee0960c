import Foundation
import Hummingbird
import Logging
import SesameCore
import ServiceLifecycle

/// What the web application needs from the composition root.
public struct WebDependencies: Sendable {
    public let store: any Store
    public let hasher: any PasswordHasher
    public let secret: ServerSecret
    public let clock: any WallClock
    public let random: any RandomSource
    public let outbox: any Outbox
    public let components: ComponentStatus
    /// Cookies carry `Secure` and responses HSTS when Sesame is reached over https.
    public let secureCookies: Bool
    /// The CAPTCHA's proof-of-work difficulty (tests lower it).
    public let captchaBits: Int
    /// How soon a sign-in may answer; `nil` for twice a password hash plus 50 ms, measured at start (tests lower it:
    /// the timing test runs the real server).
    public let signInFloor: Duration?
    /// Reverse proxies on other machines whose `X-Forwarded-For` is believed (`SESAME_TRUSTED_PROXIES`).
    public let trustedProxies: Set<String>
    /// Where directory users' passwords live; `nil` when no directory is configured.
    public let directory: (any Directory)?
    /// When sign-in stops checking passwords against the directory (docs/security.md#directory-lockout).
    public let directoryBindLimit: DirectoryBindLimit
    /// The policy as this instance reads it, at most once a second.
    public let policies: PolicyCache
    /// How often a directory user's session asks the directory whether the account changed, in seconds
    /// (`SESAME_LDAP_SESSION_CHECK_MINUTES`).
    public let directorySessionCheck: TimeInterval

    public init(
        store: any Store, hasher: any PasswordHasher, secret: ServerSecret, clock: any WallClock, random: any RandomSource,
        outbox: any Outbox, components: ComponentStatus, secureCookies: Bool, captchaBits: Int = 14,
        signInFloor: Duration? = nil, trustedProxies: Set<String> = [], directory: (any Directory)? = nil,
        directoryBindLimit: DirectoryBindLimit = .standard,
        directorySessionCheck: TimeInterval = 300, policies: PolicyCache? = nil
    ) {
        self.store = store
        self.hasher = hasher
        self.secret = secret
        self.clock = clock
        self.random = random
        self.outbox = outbox
        self.components = components
        self.secureCookies = secureCookies
        self.captchaBits = captchaBits
        self.signInFloor = signInFloor
        self.trustedProxies = trustedProxies
        self.directory = directory
        self.directoryBindLimit = directoryBindLimit
        self.directorySessionCheck = directorySessionCheck
        self.policies = policies ?? PolicyCache(store: store)
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
        // A connection that neither sends nor reads for 30 s is closed: after refusing a malformed request the server
        // half-closes and would otherwise keep the socket (and a file descriptor) for as long as the client likes.
        server: .http1(configuration: .init(idleTimeout: .seconds(30))),
        configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        services: services + [Sweeper(store: dependencies.store, clock: dependencies.clock, interval: .seconds(600), logger: logger)],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
    application.beforeServerStarts(perform: beforeServerStarts)
    return application
}

/// The routes, without a server: what HummingbirdTesting drives.
public func buildRouter(dependencies: WebDependencies) async throws -> Router<WebContext> {
    let renderer = try await PageRenderer.load()
    let branding = BrandingCache(store: dependencies.store)
    let hashingStarted = ContinuousClock.now
    let dummyHash = try await dependencies.hasher.hash("sesame: no such user")
    // Sign-in answers no sooner than twice a hash and 50 ms: what differs between a real account and an unknown one
    // (a few store queries) hides under it, and it follows the hashing parameters (docs/security.md#enumeration).
    let signInFloor = dependencies.signInFloor ?? (ContinuousClock.now - hashingStarted) * 2 + .milliseconds(50)
    let directoryMonitor = DirectoryMonitor(directory: dependencies.directory, clock: dependencies.clock)
    let directorySessions = DirectorySessionCheck(
        directory: dependencies.directory, status: directoryMonitor, clock: dependencies.clock, interval: dependencies.directorySessionCheck)
    let pages = Pages(dependencies: dependencies, renderer: renderer, dummyHash: dummyHash, branding: branding, directorySessions: directorySessions)
    // HEAD is answered as GET on every route (docs/behaviour.md#head-requests).
    let router = Router(context: WebContext.self, options: .autoGenerateHeadEndpoints)
    router.addMiddleware {
        HeadMiddleware()
        LogRequestsMiddleware(.info)
        SecurityHeadersMiddleware(strictTransport: dependencies.secureCookies)
    }
    router.addRoutes(
        HealthController(store: dependencies.store, components: dependencies.components, directory: directoryMonitor).endpoints,
        atPath: "/health")
    router.get("static/sesame.css", use: try StaticFile(named: "sesame.css", type: "text/css; charset=utf-8").respond)
    router.get("static/sesame.js", use: try StaticFile(named: "sesame.js", type: "text/javascript; charset=utf-8").respond)
    router.get("branding/logo") { _, _ -> Response in
        // Answered here rather than thrown, so that the security headers' middleware sees a response to dress.
        guard let logo = await branding.logo() else { return Response(status: .notFound) }
        // Short caching: a new logo shows within a minute.
        return Response(
            status: .ok, headers: [.contentType: logo.type, .cacheControl: "public, max-age=60"], body: .init(byteBuffer: ByteBuffer(bytes: logo.data)))
    }

    let resets = ResetService(
        store: dependencies.store, secret: dependencies.secret, hasher: dependencies.hasher, outbox: dependencies.outbox,
        clock: dependencies.clock, random: dependencies.random, directory: dependencies.directory, directoryStatus: directoryMonitor,
        policies: dependencies.policies)
    let organisation: @Sendable () async -> String = { (try? await pages.policy().organisationName) ?? Policy().organisationName }
    // Language and error pages wrap the whole router, so that an unknown path also gets a page in the user's language.
    router.addMiddleware {
        LanguageMiddleware(secureCookies: dependencies.secureCookies)
        ErrorPageMiddleware(renderer: renderer, organisation: organisation, hasLogo: { await branding.logo() != nil }) { typed, requestID in
            try? await resets.recordNoCookies(typedUserID: typed, requestID: requestID)
        }
        APIUnmatchedMiddleware()
    }
    let api = router.group(RouterPath(APIUnmatchedMiddleware.prefix))
        .add(middleware: APIMiddleware(tokens: TokenService(store: dependencies.store, clock: dependencies.clock, random: dependencies.random)))
    api.get("openapi.json", use: try StaticFile(named: "openapi.json", type: "application/json").respond)
    APIController(pages: pages).add(to: api)
    let sessions = router.group()
        .add(middleware: SessionMiddleware(store: dependencies.store, clock: dependencies.clock, random: dependencies.random, secureCookies: dependencies.secureCookies))
        .add(middleware: DirectorySessionMiddleware(check: directorySessions, store: dependencies.store, clock: dependencies.clock, random: dependencies.random))
    let site = sessions.group().add(middleware: CSRFMiddleware(users: dependencies.store))
    let signIns = SignInService(
        store: dependencies.store, hasher: dependencies.hasher, directory: dependencies.directory, secret: dependencies.secret,
        clock: dependencies.clock, dummyHash: pages.dummyHash, bindLimit: dependencies.directoryBindLimit)
    let passwordChanges = PasswordChangeService(
        store: dependencies.store, hasher: dependencies.hasher, directory: dependencies.directory, signIns: signIns, clock: dependencies.clock)
    site.addRoutes(AccountController(pages: pages, passwordChanges: passwordChanges).endpoints)
    site.addRoutes(SignInController(pages: pages, signIns: signIns, passwordChanges: passwordChanges, floor: signInFloor).endpoints)
    let registrations = RegistrationService(
        store: dependencies.store, secret: dependencies.secret, hasher: dependencies.hasher, outbox: dependencies.outbox,
        clock: dependencies.clock, random: dependencies.random)
    site.addRoutes(RegistrationController(pages: pages, service: registrations).endpoints)
    site.addRoutes(ResetController(pages: pages, service: resets).endpoints)
    site.addRoutes(AdminPolicyController(pages: pages, directory: directoryMonitor).endpoints)
    site.addRoutes(AdminReportsController(pages: pages).endpoints)
    site.addRoutes(AdminUsersController(pages: pages).endpoints)
    let brandingChanges = BrandingService(store: dependencies.store, cache: branding, clock: dependencies.clock)
    site.addRoutes(AdminBrandingController(pages: pages, branding: brandingChanges).endpoints)
    // The routes that take a larger body than a form each bring their limit, and whom it is for, to their own form
    // reader (docs/security.md#body-limits).
    let largeBodies = [AdminUsersController(pages: pages).largeBodyEndpoints, AdminBrandingController(pages: pages, branding: brandingChanges).largeBodyEndpoints]
    for large in largeBodies {
        sessions.group().add(middleware: CSRFMiddleware(users: dependencies.store, largeBody: large.limit)).addRoutes(large.routes)
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
