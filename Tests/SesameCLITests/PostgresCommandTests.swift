import Foundation
import SesameTestSupport
import Testing

/// The commands on PostgreSQL: the shared secret is required, migrations report, and an SQLite installation moves
/// over with `store copy`.
@Suite struct PostgresCommandTests {
    @Test func serveOnPostgreSQLRefusesToStartWithoutTheSharedSecret() async throws {
        let url = try await PostgresTestServer.freshDatabase()
        let data = try TemporaryFolder.make()
        let run = try CommandLineRun.run(["serve", "--port", "0", "--database-url", url], data: data)
        #expect(run.status != 0)
        #expect(run.standardError.contains("every instance sharing a PostgreSQL database must be given the same secret"))
    }

    @Test func migrateReportsTheSchema() async throws {
        let url = try await PostgresTestServer.freshDatabase()
        let data = try TemporaryFolder.make()
        let secret = data.appendingPathComponent("secret.key")
        try Data((String(repeating: "ab", count: 32) + "\n").utf8).write(to: secret)
        let run = try CommandLineRun.run(["migrate", "--database-url", url], data: data, environment: ["SESAME_SECRET_FILE": secret.path])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput == "applied 001 initial schema\napplied 002 sessions\napplied 003 outbox\napplied 004 branding\napplied 005 session users\napplied 006 token scopes\napplied 007 sign-in lockouts\napplied 008 lockout streak\napplied 009 session versions\napplied 010 authenticator app\napplied 011 recovery codes\napplied 012 report links\napplied 013 access passes\napplied 014 session details\napplied 015 password change required\napplied 016 passkeys\napplied 017 scale\napplied 018 reset days\napplied 019 search terms\nthe database is up to date\n")
    }

    @Test func anSQLiteInstallationMovesToPostgreSQL() async throws {
        let data = try TemporaryFolder.make()
        for user in ["alice", "bob"] {
            let added = try CommandLineRun.run(["user", "add", "\(user)@contoso.com", "--password", "Zq8#Lw4!Vr2k", "--mobile", "+33 6 12 34 56 78"], data: data)
            #expect(added.status == 0, "\(added.standardError)")
        }
        let url = try await PostgresTestServer.freshDatabase()
        let sqlite = "sqlite:" + data.appendingPathComponent("sesame.sqlite").path
        let copy = try CommandLineRun.run(["store", "copy", "--from", sqlite, "--to", url], data: data)
        #expect(copy.status == 0, "\(copy.standardError)")
        #expect(copy.standardOutput.contains("users: 2 rows, checksum "))
        #expect(copy.standardOutput.contains("every count and checksum matches"))
        #expect(!copy.standardOutput.contains("MISMATCH"))
        let shown = try CommandLineRun.run(["user", "show", "bob@contoso.com", "--database-url", url], data: data,
                                           environment: ["SESAME_SECRET_FILE": data.appendingPathComponent("secret.key").path])
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(shown.standardOutput.contains("+33612345678"))
        let again = try CommandLineRun.run(["store", "copy", "--from", sqlite, "--to", url], data: data)
        #expect(again.status != 0)
        #expect(again.standardError.contains("already holds data"))
    }
}
