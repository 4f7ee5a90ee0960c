import Foundation
import GRDB
import SesameTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM stops `sesame serve` gracefully (docs/operations.md#shutdown): no new connection, the request under way
/// answered, the delivery queue's unfinished claim handed back, exit 0 within 10 s.
@Suite struct ShutdownTests {
    /// The queued notices: whether each is pending and whether a worker holds it.
    private func outbox(_ data: URL) async throws -> [(state: String, claimed: Bool)] {
        try await DatabaseQueue(path: data.appendingPathComponent("sesame.sqlite").path).read { db in
            try Row.fetchAll(db, sql: "SELECT state, lease_owner IS NOT NULL AS claimed FROM outbox").map { ($0["state"], $0["claimed"]) }
        }
    }

    @Test func sigtermAnswersTheRequestUnderWayHandsBackTheClaimAndExitsZero() async throws {
        let data = try TemporaryFolder.make().appendingPathComponent("data")
        let old = "alice-\(UUID().uuidString.prefix(8))@home.example"
        let add = try await CommandLineRun.runAside(["user", "add", "alice@contoso.com", "--password", "Yt7$Mx3!Ps9j", "--alternate-email", old], data: data)
        try #require(add.status == 0, "\(add.standardError)")
        let token = try #require(try await CommandLineRun.runAside(["token", "create", "--name", "ops", "--scope", "users"], data: data)
            .standardOutput.split(separator: "\n").last.map(String.init))
        // A mail server that takes the connection and never greets: the worker that claims the notice holds it.
        let (silent, silentPort) = try RawSocket.silentListener()
        defer { withExtendedLifetime(silent) {} }
        let served = try await SpawnedServe.start(
            data: data, environment: ["SESAME_SMTP_URL": "smtp://127.0.0.1:\(silentPort)", "SESAME_MAIL_FROM": "it@contoso.example"])
        // A changed alternate email queues a notice to the old address.
        let csv = try TemporaryFolder.make().appendingPathComponent("change.csv")
        try "userID,alternateEmail\nalice@contoso.com,alice@new.example\n".write(to: csv, atomically: true, encoding: .utf8)
        #expect(try await CommandLineRun.runAside(["user", "import", csv.path], data: data).status == 0)
        // Up to 30 s, for a loaded machine.
        for _ in 0..<600 where try await outbox(data).first?.claimed != true { try await Task.sleep(for: .milliseconds(50)) }
        try #require(try await outbox(data).map(\.claimed) == [true], "a worker holds the notice")

        // A request under way: its head and part of its body arrive before SIGTERM, the rest after.
        let body = #"{"userID":"carol@contoso.com","displayName":"Carol"}"#
        let request = try RawSocket.connect(port: served.port)
        try request.send("POST /api/v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body.prefix(20))
        try await Task.sleep(for: .milliseconds(300))
        let signalled = ContinuousClock.now
        served.child.signal(SIGTERM)
        try await Task.sleep(for: .milliseconds(300))
        try request.send(String(body.dropFirst(20)))
        let response = request.readToEnd()
        #expect(response.hasPrefix("HTTP/1.1 201"), "the request under way is answered: \(response)")
        #expect((try? RawSocket.connect(port: served.port)) == nil, "no new connection is accepted")

        let status = try await served.exitStatus(within: .seconds(10))
        #expect(status == 0, "\(served.output)")
        #expect(ContinuousClock.now - signalled < .seconds(10))
        // Handed back; or, on a machine so loaded that 30 s pass between the claim and the end of the grace, ended by the
        // mail server's timeout (a retry), which the checks below accept as well.
        #expect(["message handed back to the queue on shutdown", "message not sent; will retry"].contains { served.output.contains($0) }, "\(served.output)")
        // Its lease had two minutes to run; handed back, it is claimable now, and the next instance sends it at once.
        let after = try await outbox(data)
        #expect(after.map(\.state) == ["pending"] && after.map(\.claimed) == [false])
        let sink = try SMTPSink.running()
        let next = try await SpawnedServe.start(data: data, environment: ["SESAME_SMTP_URL": "smtp://127.0.0.1:\(sink.plain)", "SESAME_MAIL_FROM": "it@contoso.example"])
        defer { next.stop() }
        #expect(try await sink.messages(to: old, timeout: .seconds(15)).count == 1, "\(next.output)")
        #expect(try await CommandLineRun.runAside(["user", "show", "carol@contoso.com"], data: data).status == 0, "the request's work is done")
    }
}
