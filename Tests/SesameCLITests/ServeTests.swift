import Foundation
import SesameDirectory
import SesameTestSupport
import Testing

/// `sesame serve` really starts, listens and answers its health checks.
@Suite struct ServeTests {
    /// `sesame serve` with `arguments`, on a free port and a fresh data folder.
    static func serve(_ arguments: [String], environment: [String: String] = [:]) async throws -> SpawnedServe {
        let data = try TemporaryFolder.make().appendingPathComponent("data")
        return try await SpawnedServe.start(arguments, data: data, environment: environment)
    }

    @Test func serveAnswersHealthChecks() async throws {
        let served = try await Self.serve(["--demo"])
        defer { served.stop() }
        #expect(served.output.contains("admin@contoso.example  password: "), "--demo prints the seeded users")
        let (status, body) = try await served.ready()
        #expect(status == 200 && body.contains("\"store\":\"ok\""))
    }

    /// `SESAME_LOG_FORMAT=json`: every line the server writes is a JSON object, and a request's line carries its ID
    /// (docs/operations.md#logs).
    @Test func serveWritesJSONLinesWhenAsked() async throws {
        let served = try await Self.serve([], environment: ["SESAME_LOG_FORMAT": "json"])
        defer { served.stop() }
        _ = try await served.ready()
        for _ in 0..<200 where !served.output.contains("/health/ready") { try await Task.sleep(for: .milliseconds(50)) }
        let lines = served.output.split(separator: "\n")
        #expect(lines.count >= 3, "\(served.output)")
        let objects = try lines.map { line in try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)") }
        #expect(objects.allSatisfy { $0["time"] is String && $0["level"] is String && $0["label"] is String && $0["message"] is String })
        #expect(objects.contains { ($0["metadata"] as? [String: Any])?["hb.request.path"] as? String == "/health/ready" && $0["request_id"] is String })
    }

    @Test func serveSyncsTheDirectoryOnItsScheduleAndReportsIt() async throws {
        let settings = try TestDirectory.all[0].settings()
        let served = try await Self.serve([], environment: [
            "SESAME_LDAP_URL": settings.url, "SESAME_LDAP_BIND_DN": settings.bindDN, "SESAME_LDAP_BIND_PASSWORD": settings.bindPassword,
            "SESAME_LDAP_BASE_DN": settings.baseDN, "SESAME_LDAP_CA_FILE": settings.certificateAuthorityFile!, "SESAME_LDAP_SYNC_MINUTES": "60",
        ])
        defer { served.stop() }
        // The first run starts with the server (allowed 30 s, for a loaded machine).
        for _ in 0..<600 where !served.output.contains("directory sync") { try await Task.sleep(for: .milliseconds(50)) }
        #expect(served.output.contains("result=created "), "\(served.output)")
        let (_, body) = try await served.ready()
        #expect(body.contains("\"directory\":\"configured\""))
        let show = try CommandLineRun.run(["user", "show", "alice"], data: served.data)
        #expect(show.standardOutput.contains("source: directory") && show.standardOutput.contains("mobilePhone: +33612345678"))
    }
}

@Suite struct ServeRefusalTests {
    static let production = [
        "SESAME_ENV": "production", "SESAME_SMS_PROVIDER": "twilio", "SESAME_TWILIO_ACCOUNT_SID": "AC1", "SESAME_TWILIO_AUTH_TOKEN": "t",
        "SESAME_TWILIO_FROM": "+15550001111", "SESAME_SMTP_URL": "smtps://mail.example:465", "SESAME_MAIL_FROM": "it@contoso.example",
        "SESAME_PUBLIC_URL": "https://sspr.example",
    ]

    @Test func aDemoThatPrintsPasswordsIsRefusedInProduction() throws {
        let data = try TemporaryFolder.make().appendingPathComponent("data")
        let run = try CommandLineRun.run(["serve", "--port", "0", "--demo"], data: data, environment: Self.production)
        #expect(run.status != 0)
        #expect(run.standardError.contains("--demo: a demo organisation prints its passwords, so it is for development only"))
    }

    @Test func productionWithoutMailIsRefused() throws {
        let data = try TemporaryFolder.make().appendingPathComponent("data")
        let run = try CommandLineRun.run(["serve", "--port", "0"], data: data, environment: Self.production.filter { $0.key != "SESAME_SMTP_URL" })
        #expect(run.status != 0)
        #expect(run.standardError.contains("SESAME_SMTP_URL: production needs an SMTP server"))
    }
}
