import Foundation
import SesameArgon2
import SesameCore
import SesameDelivery
import SesameDirectory
import SesameStore

/// The composition root: adapters chosen from the configuration and the core services wired on them.
struct AppContext: Sendable {
    let configuration: Configuration
    let store: any Store
    let secret: ServerSecret
    let clock: any WallClock
    let random: any RandomSource
    /// Concrete: `serve` tunes malloc by whether it maps each hash's memory (docs/operations.md#mallocs-settings).
    let hasher: Argon2idHasher
    /// `serve`'s PostgreSQL store, whose client runs in the service group and which migrates once it runs; `nil`
    /// for SQLite and for every other command, whose store is migrated when it opens.
    let storeService: PostgresStore?

    /// The context for a command that runs once: creates the data folder, reads the server secret, opens and migrates
    /// the store, and runs `body`. A PostgreSQL store's client runs only as long as `body`
    /// (docs/architecture.md#postgresql-client).
    static func withOpen<Value>(_ configuration: Configuration, _ body: (AppContext) async throws -> Value) async throws -> Value {
        let (secret, random) = try prepare(configuration)
        switch configuration.database {
        case .sqlite(let path):
            return try await body(AppContext(configuration, store: try openSQLite(path), secret: secret, random: random))
        case .postgres(let url):
            return try await PostgresStore.withStore(url: url) { store in
                try await body(AppContext(configuration, store: store, secret: secret, random: random))
            }
        }
    }

    /// `serve`'s context: like ``withOpen(_:_:)``, but a PostgreSQL store is left to run (and migrate) in the service
    /// group, as ``storeService``.
    static func openForService(_ configuration: Configuration) async throws -> AppContext {
        let (secret, random) = try prepare(configuration)
        switch configuration.database {
        case .sqlite(let path):
            return AppContext(configuration, store: try openSQLite(path), secret: secret, random: random)
        case .postgres(let url):
            let postgres = try PostgresStore.service(url: url)
            return AppContext(configuration, store: postgres, secret: secret, random: random, storeService: postgres)
        }
    }

    private init(_ configuration: Configuration, store: any Store, secret: ServerSecret, random: any RandomSource, storeService: PostgresStore? = nil) {
        self.configuration = configuration
        self.store = store
        self.secret = secret
        clock = SystemClock()
        self.random = random
        hasher = Argon2idHasher(random: random)
        self.storeService = storeService
    }

    /// Creates the data folder and reads (or, with SQLite, creates) the server secret.
    private static func prepare(_ configuration: Configuration) throws -> (ServerSecret, SystemRandomSource) {
        let random = SystemRandomSource()
        // The folder holds the database and the secret: the service account's alone (docs/security.md#files-on-disk).
        try FileManager.default.createDirectory(
            atPath: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // First, so that an instance without the shared secret stops before it touches a shared database.
        let secret = try SecretFile.load(
            path: configuration.secretFile, createIfMissing: configuration.database.isEmbedded, random: random)
        return (secret, random)
    }

    private static func openSQLite(_ path: String) throws -> SQLiteStore {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            if !folder.isEmpty {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
        } catch {
            throw StoreError.unavailable("cannot open \(path): its folder cannot be created")
        }
        return try SQLiteStore(path: path)
    }

    /// The delivery queue in the store, with the senders the configuration asks for. Built only by what sends or
    /// queues messages (`serve`, and the user commands whose changes are told to the user), since an SMTP sender
    /// loads the TLS trust roots. `serve` runs its workers; a message queued by a command leaves from the running
    /// server.
    func outbox(metrics: SesameMetrics = .none) throws -> DeliveryQueue {
        do {
            let branding = BrandingCache(store: store)
            return DeliveryQueue(
                store: store, sender: try Self.sender(for: configuration.delivery) { await branding.logo() }, secret: secret, metrics: metrics)
        } catch {
            throw ConfigurationError(error.description)
        }
    }

    /// The message senders the configuration asks for: SMS and voice through the provider, email through SMTP, and
    /// the development console outbox for whichever is not configured (never in production: see `Configuration`).
    static func sender(
        for delivery: Configuration.Delivery, logo: @escaping @Sendable () async -> Logo?
    ) throws(ConfigurationProblem) -> any MessageSender {
        let email: any MessageSender = try delivery.smtp.map { settings throws(ConfigurationProblem) in try SMTPSender(settings: settings, logo: logo) } ?? ConsoleSender()
        // `Configuration` has checked that the chosen provider's settings are all there.
        let phone: any MessageSender =
            switch (delivery.smsProvider, delivery.smsWebhookURL, delivery.twilioAccountSID, delivery.twilioAuthToken, delivery.twilioFrom) {
            case ("webhook", let url?, _, _, _): WebhookSender(url: url, secret: delivery.smsWebhookSecret)
            case ("twilio", _, let sid?, let token?, let from?):
                TwilioSender(accountSID: sid, authToken: token, from: from, baseURL: delivery.twilioBaseURL)
            case ("webhook", _, _, _, _), ("twilio", _, _, _, _): throw ConfigurationProblem("SESAME_SMS_PROVIDER: its settings are incomplete")
            default: ConsoleSender()
            }
        return ChannelRouter(phone: phone, email: email)
    }

    /// The directory that keeps directory users' passwords, when one is configured.
    var directory: LDAPDirectory? {
        configuration.directory.map { LDAPDirectory(settings: $0.settings) }
    }

    var users: UserAdministration {
        get throws {
            let outbox = try outbox()
            return UserAdministration(store: store, hasher: hasher, clock: clock, outbox: outbox, reportLinks: reportLinks(outbox: outbox), directory: directory)
        }
    }

    /// The notices' "This wasn't me" links, under this installation's secret and public URL: a link a command
    /// queues works on the running server.
    func reportLinks(outbox: any Outbox) -> ReportLinks {
        ReportLinks(store: store, secret: secret, random: random, clock: clock, outbox: outbox, publicURL: configuration.linkBaseURL)
    }

    var accessPasses: AccessPassService {
        get throws { AccessPassService(store: store, hasher: hasher, clock: clock, random: random, reportLinks: reportLinks(outbox: try outbox())) }
    }
    var policies: PolicyService { PolicyService(store: store, clock: clock) }
    var tokens: TokenService { TokenService(store: store, clock: clock, random: random) }
    var reports: ReportService { ReportService(store: store) }
}

extension Configuration.Database {
    var isEmbedded: Bool {
        if case .sqlite = self { return true }
        return false
    }
}
