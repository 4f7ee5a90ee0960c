import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Synchronization
import Testing

@testable import SesameWeb

let goodPassword = "Zq8#Lw4!Vr2k"

/// A Sesame web application on a fresh SQLite store, with a clock the test moves and an outbox it reads.
struct Harness {
    /// Low enough that tests solve it at once; the page's script does the same work at 14 bits.
    static let captchaBits = 4
    /// The public URL the notices' links start with.
    static let publicURL = "http://sesame.test"
    let store: any Store
    let clock = ManualClock(t0)
    let outbox: ConsoleSender
    /// The real delivery queue over the harness's store; its workers run while a test browses.
    let queue: DeliveryQueue
    /// The application's policy cache: policies set by the test go through it, as an administrator's do.
    let policies: PolicyCache
    /// The application's "This wasn't me" links, for tests that need one without a notice.
    let reportLinks: ReportLinks
    /// The core service the portal, the API and `sesame user …` commands share, with the harness's directory.
    let administration: UserAdministration
    let application: Application<RouterResponder<WebContext>>
    /// Runs the PostgreSQL store's client as long as the harness lives; `nil` on SQLite or with a store given.
    private let postgres: PostgresTestStore?

    /// Quick retries, and a page that waits as long as a test reads its mail (30 s): all the HTTP tests run at once
    /// on two cores, and a delivery worker may wait its turn for seconds. A page that gave up while its message was
    /// being sent dropped the code the message then brought (a red CI on PostgreSQL, with a 3 s wait).
    static let queueSettings = {
        var settings = DeliveryQueue.Settings()
        settings.workers = 2
        settings.poll = .milliseconds(50)
        settings.firstRetry = .milliseconds(10)
        settings.longestRetry = .milliseconds(200)
        settings.pageWait = .seconds(30)
        return settings
    }()

    /// - Parameters:
    ///   - phone: where SMS and calls go; the console outbox (which the tests read) by default.
    ///   - email: where email goes; the console outbox by default.
    ///   - directory: where directory users' passwords live.
    ///   - store, secret: another instance's, for a second instance on the same database.
    ///   - queueSettings: the delivery queue's, for a test of a page that gives up.
    init(
        logger: Logger = Logger(label: "test"), phone: (any MessageSender)? = nil, email: (any MessageSender)? = nil,
        directory: (any Directory)? = nil, store: (any Store)? = nil, secret: ServerSecret = .generate(using: SystemRandomSource()),
        queueSettings: DeliveryQueue.Settings = Harness.queueSettings
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sesame-web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let postgres = store == nil && Self.onPostgres ? try await PostgresTestStore() : nil
        let store: any Store = if let store { store } else if let postgres { postgres.store } else {
            try SQLiteStore(path: folder.appendingPathComponent("sesame.sqlite").path)
        }
        self.store = store
        self.postgres = postgres
        outbox = ConsoleSender { _ in }
        // The queue keeps real time, so that its retries fall due while the test's clock stands still.
        queue = DeliveryQueue(store: store, sender: ChannelRouter(phone: phone ?? outbox, email: email ?? outbox), secret: secret, settings: queueSettings, logger: logger)
        policies = PolicyCache(store: store)
        let services = try await SesameServices(
            store: store, secret: secret, hasher: fastHasher, clock: clock, random: SystemRandomSource(), outbox: queue, publicURL: Self.publicURL, directory: directory,
            captchaBits: Harness.captchaBits, policies: policies)
        reportLinks = services.reportLinks
        administration = services.administration
        let dependencies = WebDependencies(
            services: services, components: ComponentStatus(delivery: "development console outbox"), secureCookies: false, signInFloor: .zero)
        application = Application(router: try await buildRouter(dependencies: dependencies), logger: logger)
    }

    /// What a server on `store` needs, with the test hasher, the system clock and an outbox whose workers nobody runs:
    /// for the tests that only look at pages and probes.
    static func dependencies(store: any Store, prometheus: PrometheusMetrics? = nil) async throws -> WebDependencies {
        let secret = ServerSecret.generate(using: SystemRandomSource())
        let services = try await SesameServices(
            store: store, secret: secret, hasher: fastHasher, clock: SystemClock(), random: SystemRandomSource(),
            outbox: DeliveryQueue(store: store, sender: ConsoleSender { _ in }, secret: secret), publicURL: Self.publicURL, metrics: prometheus?.metrics ?? .none)
        return WebDependencies(
            services: services, components: ComponentStatus(delivery: "development console outbox"), secureCookies: false, prometheus: prometheus)
    }

    /// SQLite, or with `SESAME_TEST_STORE=postgres` a fresh database on the test cluster: `scripts/test` runs the
    /// HTTP tests both ways.
    static var onPostgres: Bool { ProcessInfo.processInfo.environment["SESAME_TEST_STORE"] == "postgres" }

    @discardableResult
    func addUser(
        _ userID: String = "alice@contoso.com", roles: Set<Role> = [], mobile: String? = nil, email: String? = nil,
        registered: Bool = false
    ) async throws -> User {
        var user = User(
            userID: userID, displayName: "Alice Martin", givenName: "Alice", surname: "Martin", roles: roles,
            passwordHash: try await fastHasher.hash(goodPassword), passwordChangedAt: clock.now, createdAt: clock.now)
        user.authentication.mobilePhone = try mobile.map(PhoneNumber.init(international:))
        user.authentication.alternateEmail = try email.map(EmailAddress.init)
        if registered { user.registration.confirm(at: clock.now) }
        try await store.insertUser(user)
        return user
    }

    /// `authenticator`'s key as a passkey of `userID`'s, stored as a registration would leave it.
    @discardableResult
    func addPasskey(to userID: String, authenticator: SoftwareAuthenticator = .es256(credentialID: SystemRandomSource().bytes(32))) async throws -> Passkey {
        let user = try #require(try await store.user(userID: userID))
        let passkey = Passkey(
            id: UUID(), userID: user.id, credentialID: authenticator.credentialID, publicKeyCOSE: CBORWriter.encode(authenticator.coseKey),
            algorithm: authenticator.algorithm, signCount: 0, backupEligible: false, backedUp: false, name: "Laptop", createdAt: clock.now)
        try await store.insertPasskey(passkey)
        return passkey
    }

    func setPolicy(_ key: PolicyKey, _ value: String) async throws {
        try await PolicyService(store: store, clock: clock, cache: policies).set(key, to: value, actor: "test")
    }

    /// Runs `body` with a browser that keeps cookies between requests.
    func browse(_ body: @Sendable (Browser) async throws -> Void) async throws {
        let workers = Task { await queue.run() }
        defer { workers.cancel() }
        try await application.test(.router) { client in
            try await body(Browser(client: client))
        }
    }

    /// Passes the step-up that `path`, a page of a method, asks for (docs/behaviour.md#step-up), with the code sent to
    /// the user's email, or with `recoveryCode` when given.
    func stepUp(_ browser: Browser, at path: String, recoveryCode: String? = nil) async throws {
        #expect(try await browser.get(path).location == "/reset/verify", "\(path) asks for a step-up")
        try await browser.get("/reset/verify")
        if let recoveryCode {
            try await browser.post("/reset/option", [("option", "recoveryCode")])
            try await browser.post("/reset/recovery-code", [("code", recoveryCode)])
        } else {
            try await browser.post("/reset/option", [("option", "email")])
            try await browser.post("/reset/code", [("code", try lastCode().code)])
        }
        #expect(try await browser.get("/reset/verify").location == "/register", "the step-up is passed")
    }

    /// The code in the last message sent, and the message.
    func lastCode() throws -> (code: String, message: OutgoingMessage) {
        let message = try #require(outbox.messages.last)
        let digits = message.text.filter(\.isNumber)
        let code = message.channel == .voice ? String(digits.prefix(6)) : String(message.text.firstMatch(of: /\d{6}/)!.output)
        #expect(digits.count >= 6)
        return (code, message)
    }
}

/// A page as a test sees it.
struct Page: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: String

    var location: String? { headers[.location] }

    /// The CSRF token of the page's forms.
    var csrf: String? {
        body.firstMatch(of: /name="_csrf" value="([^"]*)"/).map { String($0.output.1) }
    }

    /// Whether the page shows `text` (HTML entities decoded, as a reader sees it).
    func contains(_ text: String) -> Bool {
        body.replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&").contains(text)
    }
}

/// Keeps cookies like a browser and fills in the CSRF token of the last page.
final class Browser: Sendable {
    let client: any TestClientProtocol
    private let jar: Jar

    /// Cookies and the last page's CSRF token; shared by browsers that are one browser talking to two instances.
    final class Jar: Sendable {
        let state = Mutex<(cookies: [String: String], csrf: String?)>(([:], nil))
    }

    /// - Parameter other: a browser whose cookies this one shares (the same browser, behind a balancer).
    init(client: any TestClientProtocol, sharingCookiesWith other: Browser? = nil) {
        self.client = client
        jar = other?.jar ?? Jar()
    }

    @discardableResult
    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> Page {
        try await send(uri, method: .get, headers: headers, body: nil)
    }

    /// Posts a form; the CSRF token of the last page is added unless `csrf` says otherwise.
    @discardableResult
    func post(_ uri: String, _ fields: [(String, String)], csrf: String? = nil, includeCSRF: Bool = true) async throws -> Page {
        var all = fields
        if includeCSRF { all.append(("_csrf", csrf ?? jar.state.withLock { $0.csrf } ?? "")) }
        let body = all.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
        return try await send(uri, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: body)
    }

    func send(_ uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: String?) async throws -> Page {
        try await send(uri, method: method, headers: headers, bytes: body.map { ByteBuffer(string: $0) })
    }

    /// The same with a body of bytes (an upload).
    func send(_ uri: String, method: HTTPRequest.Method, headers: HTTPFields, bytes: ByteBuffer?) async throws -> Page {
        var headers = headers
        let cookie = jar.state.withLock { $0.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if !cookie.isEmpty { headers[.cookie] = cookie }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: bytes)
        let page = Page(status: response.status, headers: response.headers, body: String(buffer: response.body))
        jar.state.withLock { state in
            for setCookie in response.headers[values: .setCookie] {
                let pair = setCookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                if pair.count == 2 { state.cookies[String(pair[0])] = String(pair[1]) }
            }
            if let token = page.csrf { state.csrf = token }
        }
        return page
    }

    func cookie(_ name: String) -> String? { jar.state.withLock { $0.cookies[name] } }

    private func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    /// "Who are you?": solves the CAPTCHA as the page's script does and submits the user ID.
    @discardableResult
    func startReset(_ userID: String, language: String = "en") async throws -> Page {
        let page = try await get("/reset?lang=\(language)")
        return try await post("/reset", [("userID", userID)] + (try #require(Self.solvedCaptcha(page))))
    }

    /// The CAPTCHA's fields of a form, solved as the page's script does; `nil` when the page asks none.
    static func solvedCaptcha(_ page: Page) -> [(String, String)]? {
        page.body.firstMatch(of: /name="captcha" value="([^"]*)"/).map { String($0.output.1) }.map { token in
            [("captcha", token), ("solution", Captcha.solve(token, bits: Harness.captchaBits))]
        }
    }

    /// Signs in and follows the redirect; returns where sign-in sent the user.
    @discardableResult
    func signIn(_ userID: String = "alice@contoso.com", password: String = goodPassword, language: String? = nil) async throws -> String? {
        try await trySignIn(userID, password: password, language: language).location
    }

    /// The sign-in form, fetched and posted; the CAPTCHA, when the form asks it, solved as the page's script would.
    @discardableResult
    func trySignIn(_ userID: String, password: String, language: String? = nil) async throws -> Page {
        let form = try await get(language.map { "/signin?lang=\($0)" } ?? "/signin")
        return try await post("/signin", [("userID", userID), ("password", password)] + (Self.solvedCaptcha(form) ?? []))
    }
}
