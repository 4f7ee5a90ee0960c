import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `sesame serve` really starts, listens and answers its health checks.
@Suite struct ServeTests {
    @Test func serveAnswersHealthChecks() async throws {
        let folder = try TemporaryFolder.make()
        let log = folder.appendingPathComponent("serve.log")
        try Data().write(to: log)
        let process = Process()
        process.executableURL = CommandLineRun.binary
        process.arguments = ["serve", "--port", "0", "--demo"]
        process.environment = ["SESAME_DATA_DIR": folder.appendingPathComponent("data").path]
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // A child of a test thread inherits its blocked signals, so SIGTERM may never land: SIGKILL always does.
        defer { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }

        var port: Int? = nil
        for _ in 0..<200 where port == nil {
            try await Task.sleep(for: .milliseconds(50))
            let text = try String(contentsOf: log, encoding: .utf8)
            if let range = text.range(of: #"http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(text[range].split(separator: ":").last!)
            }
        }
        let output = try String(contentsOf: log, encoding: .utf8)
        let listening = try #require(port, "serve did not report its address: \(output)")
        #expect(output.contains("admin@contoso.example  password: "), "--demo prints the seeded users")

        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(listening)/health/ready")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self).contains("\"store\":\"ok\""))
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
