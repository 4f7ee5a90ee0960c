import Foundation
import Logging
import SesameCore
import SesameDelivery
import SesameDirectory
import SesameWeb

/// Sesame's settings, parsed once and validated; every command reads this and nothing else reads the environment.
struct Configuration: Sendable {
    enum Mode: String, Sendable {
        case development
        case production
    }

    enum Database: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    struct Delivery: Sendable {
        /// Parsed and checked from `SESAME_SMTP_URL` and `SESAME_MAIL_FROM`; no SMTP means the console outbox.
        var smtp: SMTPSettings?
        /// `webhook`, `twilio` or `console`.
        var smsProvider: String
        var smsWebhookURL: String?
        var smsWebhookSecret: String?
        var twilioAccountSID: String?
        var twilioAuthToken: String?
        var twilioFrom: String?
        var twilioBaseURL: String?
    }

    struct DirectorySettings: Sendable {
        var settings: LDAPSettings
        /// How often `serve` runs `directory sync`; 0 never.
        var syncMinutes: Int
        /// When sign-in stops checking passwords against the directory (docs/security.md#directory-lockout).
        var bindLimit: DirectoryBindLimit
        /// How often a directory user's session asks the directory whether the account changed.
        var sessionCheckMinutes: Int
    }

    var dataDirectory: String
    var database: Database
    var host: String
    var port: Int
    var publicURL: String?
    var secretFile: String
    /// Reverse proxies on other machines whose `X-Forwarded-For` is believed (loopback always is).
    var trustedProxies: Set<String>
    var mode: Mode
    var delivery: Delivery
    var directory: DirectorySettings?
    /// How log lines are written, and the least severe level written (docs/operations.md#logs).
    var logFormat: LogFormat
    var logLevel: Logger.Level
    var metrics: MetricsSettings
    /// Texts and calls a day, overall and by country (docs/security.md#phone-budget).
    var phoneBudget: PhoneBudget

    static let defaultDataDirectory = "./sesame-data"

    /// Where the links in notices point (docs/behaviour.md#this-wasnt-me): the public URL, else the address Sesame
    /// listens on (development only: production requires the public URL).
    var linkBaseURL: String {
        publicURL ?? "http://\(host):\(port)"
    }

    init(_ sources: ConfigurationSources) throws {
        dataDirectory = sources.value(.dataDirectory) ?? Self.defaultDataDirectory
        database = try Self.database(sources.value(.databaseURL), dataDirectory: dataDirectory)
        host = sources.value(.host) ?? "127.0.0.1"
        let portText = sources.value(.port) ?? "8080"
        guard let port = Int(portText), (0...65_535).contains(port) else {
            throw ConfigurationError("SESAME_PORT: \"\(portText)\" is not a port number (0–65535)")
        }
        self.port = port
        publicURL = sources.value(.publicURL)
        secretFile = sources.value(.secretFile) ?? (dataDirectory as NSString).appendingPathComponent("secret.key")
        trustedProxies = Set((sources.value(.trustedProxies) ?? "").split(separator: ",").map { $0.trimmingWhiteSpace() }.filter { !$0.isEmpty })
        for proxy in trustedProxies where proxy.range(of: #"^[0-9a-fA-F.:]+$"#, options: .regularExpression) == nil {
            throw ConfigurationError("SESAME_TRUSTED_PROXIES: \"\(proxy)\" is not an IP address (a comma-separated list of addresses)")
        }
        let modeText = sources.value(.environment) ?? "development"
        guard let mode = Mode(rawValue: modeText) else {
            throw ConfigurationError("SESAME_ENV: \"\(modeText)\" is not allowed (allowed: development, production)")
        }
        self.mode = mode
        delivery = try Self.delivery(sources, mode: mode)
        directory = try Self.directory(sources)
        let formatText = sources.value(.logFormat) ?? LogFormat.text.rawValue
        guard let logFormat = LogFormat(rawValue: formatText) else {
            throw ConfigurationError("SESAME_LOG_FORMAT: \"\(formatText)\" is not allowed (allowed: text, json)")
        }
        self.logFormat = logFormat
        let levelText = sources.value(.logLevel) ?? Logger.Level.info.rawValue
        guard let logLevel = Logger.Level(rawValue: levelText) else {
            let allowed = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError("SESAME_LOG_LEVEL: \"\(levelText)\" is not allowed (allowed: \(allowed))")
        }
        self.logLevel = logLevel
        metrics = try MetricsSettings(sources, mainPort: port)
        let budgetText = sources.value(.phoneDailyLimit) ?? String(PhoneBudget.standard.daily)
        guard let phoneBudget = PhoneBudget(budgetText) else {
            throw ConfigurationError(
                "SESAME_PHONE_DAILY_LIMIT: \"\(budgetText)\" is not a daily budget (a number, then optional +CODE=NUMBER per country: 1000,+234=20)")
        }
        self.phoneBudget = phoneBudget
        if mode == .production {
            guard let publicURL, publicURL.lowercased().hasPrefix("https://") else {
                throw ConfigurationError("SESAME_PUBLIC_URL: production needs the public https:// address users reach Sesame at")
            }
        }
    }

    static func database(_ url: String?, dataDirectory: String) throws -> Database {
        guard let url else { return .sqlite(path: (dataDirectory as NSString).appendingPathComponent("sesame.sqlite")) }
        if url.hasPrefix("sqlite:") {
            let path = String(url.dropFirst("sqlite:".count)).replacingOccurrences(of: "//", with: "", options: .anchored)
            guard !path.isEmpty else { throw ConfigurationError("SESAME_DATABASE_URL: sqlite: needs a file path (sqlite:PATH)") }
            return .sqlite(path: path)
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") { return .postgres(url: url) }
        throw ConfigurationError("SESAME_DATABASE_URL: use sqlite:PATH or postgres://user:pass@host:port/db")
    }

    static func delivery(_ sources: ConfigurationSources, mode: Mode) throws -> Delivery {
        let provider = sources.value(.smsProvider) ?? "console"
        guard ["webhook", "twilio", "console"].contains(provider) else {
            throw ConfigurationError("SESAME_SMS_PROVIDER: \"\(provider)\" is not allowed (allowed: webhook, twilio, console)")
        }
        if provider == "console", mode == .production {
            throw ConfigurationError("SESAME_SMS_PROVIDER: the console outbox is for development only; configure webhook or twilio")
        }
        if mode == .production, sources.value(.smtpURL) == nil {
            throw ConfigurationError("SESAME_SMTP_URL: production needs an SMTP server (the console outbox is for development only)")
        }
        if provider == "webhook", sources.value(.smsWebhookURL) == nil {
            throw ConfigurationError("SESAME_SMS_WEBHOOK_URL: the webhook provider needs the URL to post to")
        }
        if provider == "twilio" {
            for key in [ConfigurationKey.twilioAccountSID, .twilioAuthToken, .twilioFrom] where sources.value(key) == nil {
                throw ConfigurationError("\(key.rawValue): the twilio provider needs it")
            }
        }
        var smtp: SMTPSettings?
        if let url = sources.value(.smtpURL) {
            guard let from = sources.value(.mailFrom) else {
                throw ConfigurationError("SESAME_MAIL_FROM: sending email needs the sender's address, as address or Name <address>")
            }
            do {
                smtp = try SMTPSettings(url: url, from: from)
            } catch {
                throw ConfigurationError(error.description)
            }
        }
        return Delivery(
            smtp: smtp, smsProvider: provider,
            smsWebhookURL: sources.value(.smsWebhookURL), smsWebhookSecret: sources.value(.smsWebhookSecret),
            twilioAccountSID: sources.value(.twilioAccountSID), twilioAuthToken: sources.value(.twilioAuthToken),
            twilioFrom: sources.value(.twilioFrom), twilioBaseURL: sources.value(.twilioBaseURL))
    }

    static func directory(_ sources: ConfigurationSources) throws -> DirectorySettings? {
        guard let url = sources.value(.ldapURL) else { return nil }
        guard url.lowercased().hasPrefix("ldap://") || url.lowercased().hasPrefix("ldaps://") else {
            throw ConfigurationError("SESAME_LDAP_URL: \"\(url)\" is not an LDAP URL (ldaps://host:636, or ldap://host:389 with StartTLS)")
        }
        let kindText = sources.value(.ldapKind) ?? "openldap"
        guard let kind = LDAPSettings.Kind(rawValue: kindText) else {
            throw ConfigurationError("SESAME_LDAP_KIND: \"\(kindText)\" is not allowed (allowed: openldap, ad)")
        }
        func required(_ key: ConfigurationKey) throws -> String {
            guard let value = sources.value(key) else {
                throw ConfigurationError("\(key.rawValue): a directory needs it (the service account that resets passwords, and where users are)")
            }
            return value
        }
        let (bindDN, bindPassword, baseDN) = (try required(.ldapBindDN), try required(.ldapBindPassword), try required(.ldapBaseDN))
        if let file = sources.value(.ldapCAFile), !FileManager.default.isReadableFile(atPath: file) {
            throw ConfigurationError("SESAME_LDAP_CA_FILE: \(file) cannot be read")
        }
        let minutesText = sources.value(.ldapSyncMinutes) ?? "0"
        guard let minutes = Int(minutesText), (0...10_080).contains(minutes) else {
            throw ConfigurationError("SESAME_LDAP_SYNC_MINUTES: \"\(minutesText)\" is not a number of minutes (0 = never, up to 10080)")
        }
        let failures = try number(.ldapBindFailures, in: DirectoryBindLimit.allowedFailures, default: DirectoryBindLimit.standard.failures, sources)
        let window = try number(.ldapBindFailureMinutes, in: DirectoryBindLimit.allowedMinutes, default: Int(DirectoryBindLimit.standard.window / 60), sources)
        let checkText = sources.value(.ldapSessionCheckMinutes) ?? "5"
        guard let checkMinutes = Int(checkText), (1...60).contains(checkMinutes) else {
            throw ConfigurationError("SESAME_LDAP_SESSION_CHECK_MINUTES: \"\(checkText)\" is not a number of minutes (1 to 60)")
        }
        let defaults = LDAPSettings.Attributes()
        let settings = LDAPSettings(
            url: url, kind: kind, bindDN: bindDN, bindPassword: bindPassword,
            baseDN: baseDN, userFilter: sources.value(.ldapUserFilter),
            loginAttribute: sources.value(.ldapLoginAttribute),
            attributes: LDAPSettings.Attributes(
                mail: sources.value(.ldapMailAttribute) ?? defaults.mail, mobile: sources.value(.ldapMobileAttribute) ?? defaults.mobile,
                telephoneNumber: sources.value(.ldapPhoneAttribute) ?? defaults.telephoneNumber),
            certificateAuthorityFile: sources.value(.ldapCAFile))
        return DirectorySettings(
            settings: settings, syncMinutes: minutes, bindLimit: DirectoryBindLimit(failures: failures, window: TimeInterval(window * 60)),
            sessionCheckMinutes: checkMinutes)
    }

    /// A whole number within `range`, or `fallback` when the key is not set.
    private static func number(_ key: ConfigurationKey, in range: ClosedRange<Int>, default fallback: Int, _ sources: ConfigurationSources) throws -> Int {
        guard let text = sources.value(key) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError("\(key.rawValue): \"\(text)\" is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// What readiness says about delivery.
    var deliveryStatus: String {
        delivery.smsProvider == "console" && delivery.smtp == nil
            ? "development console outbox"
            : "sms and voice: \(delivery.smsProvider), email: \(delivery.smtp == nil ? "development console outbox" : "smtp")"
    }
}
