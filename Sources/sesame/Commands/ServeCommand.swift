import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SesameArgon2
import SesameCore
import SesameDelivery
import SesameStore
import SesameWeb
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the web server.",
        discussion: "Every setting is also an environment variable (see the README); flags win over the environment, which wins over --config.")

    @OptionGroup var store: StoreOptions
    @Option var host: String?
    @Option var port: String?
    @Option(name: .customLong("public-url")) var publicURL: String?
    @Option(name: .customLong("secret-file")) var secretFile: String?
    @Option(name: .customLong("trusted-proxies")) var trustedProxies: String?
    @Option(name: .customLong("smtp-url")) var smtpURL: String?
    @Option(name: .customLong("mail-from")) var mailFrom: String?
    @Option(name: .customLong("sms-provider")) var smsProvider: String?
    @Option(name: .customLong("sms-webhook-url")) var smsWebhookURL: String?
    @Option(name: .customLong("sms-webhook-secret")) var smsWebhookSecret: String?
    @Option(name: .customLong("twilio-account-sid")) var twilioAccountSID: String?
    @Option(name: .customLong("twilio-auth-token")) var twilioAuthToken: String?
    @Option(name: .customLong("twilio-from")) var twilioFrom: String?
    @Option(name: .customLong("twilio-base-url")) var twilioBaseURL: String?
    @Option(name: .customLong("ldap-url")) var ldapURL: String?
    @Option(name: .customLong("ldap-bind-dn")) var ldapBindDN: String?
    @Option(name: .customLong("ldap-bind-password")) var ldapBindPassword: String?
    @Option(name: .customLong("ldap-base-dn")) var ldapBaseDN: String?
    @Option(name: .customLong("ldap-user-filter")) var ldapUserFilter: String?
    @Option(name: .customLong("ldap-kind")) var ldapKind: String?
    @Option(name: .customLong("ldap-login-attribute")) var ldapLoginAttribute: String?
    @Option(name: .customLong("ldap-ca-file")) var ldapCAFile: String?
    @Option(name: .customLong("ldap-mail-attribute")) var ldapMailAttribute: String?
    @Option(name: .customLong("ldap-mobile-attribute")) var ldapMobileAttribute: String?
    @Option(name: .customLong("ldap-phone-attribute")) var ldapPhoneAttribute: String?
    @Option(name: .customLong("ldap-sync-minutes")) var ldapSyncMinutes: String?
    @Option(name: .customLong("ldap-bind-failures")) var ldapBindFailures: String?
    @Option(name: .customLong("ldap-bind-failure-minutes")) var ldapBindFailureMinutes: String?
    @Option(name: .customLong("ldap-session-check-minutes")) var ldapSessionCheckMinutes: String?
    @Option(name: .customLong("env"), help: "development or production") var mode: String?
    @Option(name: .customLong("log-format"), help: "text or json") var logFormat: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical") var logLevel: String?
    @Option(name: .customLong("metrics-port")) var metricsPort: String?
    @Option(name: .customLong("metrics-token")) var metricsToken: String?
    @Option(name: .customLong("phone-daily-limit")) var phoneDailyLimit: String?
    @Flag(help: "Seed a demo organisation and print its users' sign-in details.") var demo = false

    var serveFlags: [ConfigurationKey: String] {
        let pairs: [(ConfigurationKey, String?)] = [
            (.host, host), (.port, port), (.publicURL, publicURL), (.secretFile, secretFile), (.trustedProxies, trustedProxies), (.smtpURL, smtpURL),
            (.mailFrom, mailFrom), (.smsProvider, smsProvider), (.smsWebhookURL, smsWebhookURL),
            (.smsWebhookSecret, smsWebhookSecret), (.twilioAccountSID, twilioAccountSID),
            (.twilioAuthToken, twilioAuthToken), (.twilioFrom, twilioFrom), (.twilioBaseURL, twilioBaseURL),
            (.ldapURL, ldapURL), (.ldapBindDN, ldapBindDN), (.ldapBindPassword, ldapBindPassword),
            (.ldapBaseDN, ldapBaseDN), (.ldapUserFilter, ldapUserFilter), (.ldapKind, ldapKind),
            (.ldapLoginAttribute, ldapLoginAttribute), (.ldapCAFile, ldapCAFile), (.ldapMailAttribute, ldapMailAttribute),
            (.ldapMobileAttribute, ldapMobileAttribute), (.ldapPhoneAttribute, ldapPhoneAttribute), (.ldapSyncMinutes, ldapSyncMinutes),
            (.ldapBindFailures, ldapBindFailures), (.ldapBindFailureMinutes, ldapBindFailureMinutes),
            (.ldapSessionCheckMinutes, ldapSessionCheckMinutes), (.environment, mode),
            (.logFormat, logFormat), (.logLevel, logLevel), (.metricsPort, metricsPort), (.metricsToken, metricsToken),
            (.phoneDailyLimit, phoneDailyLimit),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { key, value in value.map { (key, $0) } })
    }

    func run() async throws {
        // Before the store's threads start, which would each take an arena of their own. One processor count for
        // arenas and password hashes alike.
        MallocSettings.limitArenas(processors: sysconf(Int32(_SC_NPROCESSORS_ONLN)), environment: ProcessInfo.processInfo.environment)
        let context = try await store.serviceContext(extra: serveFlags)
        MallocSettings.setThresholds(hasherMapsItsMemory: context.hasher.mapsItsMemory)
        let configuration = context.configuration
        let prometheus = PrometheusMetrics(token: configuration.metrics.token, port: configuration.metrics.port, version: Sesame.version)
        let queue = try context.outbox(metrics: prometheus.metrics)
        let policies = PolicyCache(store: context.store)
        // Texts and calls count against the day's budget before they are queued (docs/security.md#phone-budget).
        let outbox = BudgetedOutbox(
            queue, budget: configuration.phoneBudget, store: context.store, clock: context.clock, policies: policies, metrics: prometheus.metrics)
        let logger = Logger(label: "sesame")
        // A damaged breached-password filter stops the server now, not at someone's new password
        // (docs/security.md#breached-passwords).
        do {
            let breached = try BreachedPasswordFilter.loadShipped()
            logger.info("breached-password filter loaded", metadata: ["passwords": "\(breached)"])
        } catch {
            throw ConfigurationError("the breached-password filter is damaged (\(error)): run scripts/data/breached-passwords.sh")
        }
        if demo, configuration.mode == .production {
            throw ConfigurationError("--demo: a demo organisation prints its passwords, so it is for development only")
        }
        let demo = demo
        // The store's client first: a service group stops its services in reverse order, so it stops last.
        let storeServices: [any Service] = context.storeService.map { [$0] } ?? []
        // Every core service the server uses, built once here and shared by all requests.
        let services = try await SesameServices(
            store: context.store, secret: context.secret, hasher: context.hasher, clock: context.clock, random: context.random,
            outbox: outbox, publicURL: configuration.linkBaseURL, directory: context.directory.map { MeteredDirectory($0, metrics: prometheus.metrics) },
            directoryBindLimit: configuration.directory?.bindLimit ?? .standard,
            directorySessionCheck: TimeInterval((configuration.directory?.sessionCheckMinutes ?? 5) * 60), policies: policies,
            metrics: prometheus.metrics)
        let app = try await buildApplication(
            configuration: WebConfiguration(host: configuration.host, port: configuration.port),
            dependencies: WebDependencies(
                services: services, components: ComponentStatus(delivery: configuration.deliveryStatus),
                secureCookies: configuration.publicURL?.lowercased().hasPrefix("https://") ?? false,
                trustedProxies: configuration.trustedProxies, prometheus: prometheus),
            logger: logger,
            services: storeServices + [DeliveryWorker(queue: queue)] + scheduledSync(context, outbox: queue, logger: logger),
            beforeServerStarts: {
                // A PostgreSQL store migrates once its client runs; nothing is served before
                // (docs/architecture.md#postgresql-client).
                try await context.storeService?.waitUntilMigrated()
                try await Self.prepare(context, demo: demo)
            },
            onServerRunning: { port in
                logger.info("Sesame is listening", metadata: ["address": "http://\(configuration.host):\(port)"])
            })
        try await ServiceGroup.serving(app, logger: logger).run()
    }

    /// What `serve` does with the store before it answers: the demo organisation, and a logo file from the data
    /// folder (how earlier versions took the logo), moved into the store once.
    private static func prepare(_ context: AppContext, demo: Bool) async throws {
        if demo {
            for line in try await DemoSeed(context: context).run() { print(line) }
            // Standard output is block-buffered when it is not a terminal; the server runs until killed.
            fflush(nil)
        }
        if try await context.store.logo() == nil, let file = Logo.find(in: context.configuration.dataDirectory) {
            try await context.store.saveLogo(file)
        }
    }

    /// The directory sync on its schedule, when a directory and SESAME_LDAP_SYNC_MINUTES are configured.
    private func scheduledSync(_ context: AppContext, outbox: DeliveryQueue, logger: Logger) -> [any Service] {
        guard let settings = context.configuration.directory, settings.syncMinutes > 0, let directory = context.directory else { return [] }
        let sync = DirectorySync(
            store: context.store, directory: directory, clock: context.clock, outbox: outbox, reportLinks: context.reportLinks(outbox: outbox))
        return [ScheduledSync(sync: sync, every: .seconds(settings.syncMinutes * 60), logger: logger)]
    }
}
