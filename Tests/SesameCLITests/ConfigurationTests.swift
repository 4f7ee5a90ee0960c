import Foundation
import Logging
import SesameCore
import SesameDelivery
import SesameDirectory
import SesameWeb
import Testing

@testable import sesame

@Suite struct ConfigurationTests {
    @Test func defaults() throws {
        let configuration = try Configuration(ConfigurationSources())
        #expect(configuration.dataDirectory == "./sesame-data")
        #expect(configuration.database == .sqlite(path: "./sesame-data/sesame.sqlite"))
        #expect(configuration.secretFile == "./sesame-data/secret.key")
        #expect(configuration.host == "127.0.0.1" && configuration.port == 8080)
        #expect(configuration.mode == .development && configuration.delivery.smsProvider == "console")
        #expect(configuration.directory == nil)
        #expect(configuration.logFormat == .text && configuration.logLevel == .info)
    }

    @Test func logFormatAndLevel() throws {
        let configuration = try Configuration(ConfigurationSources(environment: ["SESAME_LOG_FORMAT": "json", "SESAME_LOG_LEVEL": "warning"]))
        #expect(configuration.logFormat == .json && configuration.logLevel == .warning)
    }

    @Test func flagsWinOverEnvironmentWhichWinsOverTheFile() throws {
        let file = try ConfigurationSources.parseFile(
            "# comment\nSESAME_PORT=7000\nSESAME_HOST = \"0.0.0.0\"\nSESAME_DATA_DIR=/from/file\n", path: "f")
        let sources = ConfigurationSources(
            flags: [.port: "9000"], environment: ["SESAME_PORT": "8000", "SESAME_HOST": "10.0.0.1"], file: file)
        let configuration = try Configuration(sources)
        #expect(configuration.port == 9000)
        #expect(configuration.host == "10.0.0.1")
        #expect(configuration.dataDirectory == "/from/file")
        #expect(configuration.database == .sqlite(path: "/from/file/sesame.sqlite"))
    }

    @Test func databaseURLs() throws {
        #expect(try Configuration.database("sqlite:/var/lib/sesame/db.sqlite", dataDirectory: "d") == .sqlite(path: "/var/lib/sesame/db.sqlite"))
        #expect(try Configuration.database("postgres://u:p@h:5432/db", dataDirectory: "d") == .postgres(url: "postgres://u:p@h:5432/db"))
        #expect(throws: ConfigurationError.self) { try Configuration.database("mysql://x", dataDirectory: "d") }
        #expect(throws: ConfigurationError.self) { try Configuration.database("sqlite:", dataDirectory: "d") }
    }

    @Test(arguments: [
        (["SESAME_PORT": "http"], "SESAME_PORT: \"http\" is not a port number (0–65535)"),
        (["SESAME_ENV": "staging"], "SESAME_ENV: \"staging\" is not allowed (allowed: development, production)"),
        (["SESAME_SMS_PROVIDER": "pigeon"], "SESAME_SMS_PROVIDER: \"pigeon\" is not allowed (allowed: webhook, twilio, console)"),
        (["SESAME_SMS_PROVIDER": "webhook"], "SESAME_SMS_WEBHOOK_URL: the webhook provider needs the URL to post to"),
        (["SESAME_ENV": "production"], "SESAME_SMS_PROVIDER: the console outbox is for development only; configure webhook or twilio"),
        (["SESAME_ENV": "production", "SESAME_SMS_PROVIDER": "webhook", "SESAME_SMS_WEBHOOK_URL": "https://sms", "SESAME_SMTP_URL": "smtp://mail:25", "SESAME_MAIL_FROM": "it@contoso.com", "SESAME_PUBLIC_URL": "http://sspr.contoso.com"],
         "SESAME_PUBLIC_URL: production needs the public https:// address users reach Sesame at"),
        (["SESAME_SMTP_URL": "smtp://mail:25"], "SESAME_MAIL_FROM: sending email needs the sender's address, as address or Name <address>"),
        (["SESAME_SMTP_URL": "smtp://mail:25?tls=maybe", "SESAME_MAIL_FROM": "it@contoso.com"],
         "SESAME_SMTP_URL: tls=maybe is not understood; use tls=required, or smtps:// for implicit TLS"),
        (["SESAME_SMTP_URL": "smtp://mail:25", "SESAME_MAIL_FROM": "IT <nobody>"],
         "SESAME_MAIL_FROM must be an email address, or a name followed by <address>"),
        (["SESAME_LDAP_URL": "ldap://x", "SESAME_LDAP_KIND": "novell"], "SESAME_LDAP_KIND: \"novell\" is not allowed (allowed: openldap, ad)"),
        (["SESAME_LDAP_URL": "dc.contoso.com"], "SESAME_LDAP_URL: \"dc.contoso.com\" is not an LDAP URL (ldaps://host:636, or ldap://host:389 with StartTLS)"),
        (["SESAME_LDAP_URL": "ldaps://dc"], "SESAME_LDAP_BIND_DN: a directory needs it (the service account that resets passwords, and where users are)"),
        (["SESAME_LDAP_URL": "ldaps://dc", "SESAME_LDAP_BIND_DN": "svc", "SESAME_LDAP_BIND_PASSWORD": "p", "SESAME_LDAP_BASE_DN": "dc=x", "SESAME_LDAP_CA_FILE": "/nonexistent/ca.pem"],
         "SESAME_LDAP_CA_FILE: /nonexistent/ca.pem cannot be read"),
        (["SESAME_LDAP_URL": "ldaps://dc", "SESAME_LDAP_BIND_DN": "svc", "SESAME_LDAP_BIND_PASSWORD": "p", "SESAME_LDAP_BASE_DN": "dc=x", "SESAME_LDAP_SYNC_MINUTES": "hourly"],
         "SESAME_LDAP_SYNC_MINUTES: \"hourly\" is not a number of minutes (0 = never, up to 10080)"),
        (["SESAME_LDAP_URL": "ldaps://dc", "SESAME_LDAP_BIND_DN": "svc", "SESAME_LDAP_BIND_PASSWORD": "p", "SESAME_LDAP_BASE_DN": "dc=x", "SESAME_LDAP_BIND_FAILURES": "0"],
         "SESAME_LDAP_BIND_FAILURES: \"0\" is not a whole number from 1 to 50"),
        (["SESAME_LDAP_URL": "ldaps://dc", "SESAME_LDAP_BIND_DN": "svc", "SESAME_LDAP_BIND_PASSWORD": "p", "SESAME_LDAP_BASE_DN": "dc=x", "SESAME_LDAP_BIND_FAILURE_MINUTES": "1h"],
         "SESAME_LDAP_BIND_FAILURE_MINUTES: \"1h\" is not a whole number from 1 to 1440"),
        (["SESAME_LDAP_URL": "ldaps://dc", "SESAME_LDAP_BIND_DN": "svc", "SESAME_LDAP_BIND_PASSWORD": "p", "SESAME_LDAP_BASE_DN": "dc=x", "SESAME_LDAP_SESSION_CHECK_MINUTES": "0"],
         "SESAME_LDAP_SESSION_CHECK_MINUTES: \"0\" is not a number of minutes (1 to 60)"),
        (["SESAME_LOG_FORMAT": "xml"], "SESAME_LOG_FORMAT: \"xml\" is not allowed (allowed: text, json)"),
        (["SESAME_LOG_LEVEL": "verbose"],
         "SESAME_LOG_LEVEL: \"verbose\" is not allowed (allowed: trace, debug, info, notice, warning, error, critical)"),
    ])
    func refusedSettingsNameTheVariable(_ environment: [String: String], _ message: String) {
        do {
            _ = try Configuration(ConfigurationSources(environment: environment))
            Issue.record("accepted")
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func productionWithRealDelivery() throws {
        let configuration = try Configuration(ConfigurationSources(environment: [
            "SESAME_ENV": "production", "SESAME_SMS_PROVIDER": "twilio", "SESAME_TWILIO_ACCOUNT_SID": "AC1",
            "SESAME_TWILIO_AUTH_TOKEN": "t", "SESAME_TWILIO_FROM": "+15550001111", "SESAME_SMTP_URL": "smtps://mail:465",
            "SESAME_MAIL_FROM": "Contoso IT <it@contoso.com>", "SESAME_PUBLIC_URL": "https://sspr.contoso.com", "SESAME_LDAP_URL": "ldaps://dc", "SESAME_LDAP_KIND": "ad",
            "SESAME_LDAP_BIND_DN": "sesame@contoso.com", "SESAME_LDAP_BIND_PASSWORD": "p", "SESAME_LDAP_BASE_DN": "DC=contoso,DC=com",
            "SESAME_LDAP_MOBILE_ATTRIBUTE": "otherMobile", "SESAME_LDAP_BIND_FAILURES": "2",
        ]))
        #expect(configuration.mode == .production)
        #expect(configuration.delivery.smtp?.security == .implicit)
        #expect(configuration.delivery.smtp?.from.name == "Contoso IT")
        #expect(configuration.directory?.settings.loginAttribute == "userPrincipalName")
        #expect(configuration.directory?.settings.userFilter == "(&(objectCategory=person)(objectClass=user))")
        #expect(configuration.directory?.settings.attributes.mobile == "otherMobile")
        #expect(configuration.directory?.syncMinutes == 0)
        #expect(configuration.directory?.bindLimit == DirectoryBindLimit(failures: 2, window: 1_800))
    }

    @Test func fileErrorsNameTheLine() {
        #expect(throws: ConfigurationError.self) { try ConfigurationSources.parseFile("SESAME_PORT 80", path: "f") }
        do {
            _ = try ConfigurationSources.parseFile("\nSESAME_COLOUR=blue", path: "sesame.env")
        } catch {
            #expect("\(error)" == "sesame.env:2: unknown setting SESAME_COLOUR")
        }
    }
}
