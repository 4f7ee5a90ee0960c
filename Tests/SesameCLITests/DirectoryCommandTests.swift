import Foundation
import SesameCore
import SesameDirectory
import SesameTestSupport
import Testing

/// `sesame directory …` and the user commands on a directory user, on the real binary against `scripts/slapd`.
@Suite struct DirectoryCommandTests {
    let data: URL
    let target = TestDirectory.all[0]
    let environment: [String: String]

    init() throws {
        data = try TemporaryFolder.make().appendingPathComponent("data")
        let settings = try target.settings()
        environment = [
            "SESAME_LDAP_URL": settings.url, "SESAME_LDAP_BIND_DN": settings.bindDN, "SESAME_LDAP_BIND_PASSWORD": settings.bindPassword,
            "SESAME_LDAP_BASE_DN": settings.baseDN, "SESAME_LDAP_CA_FILE": settings.certificateAuthorityFile!,
        ]
    }

    func sesame(_ arguments: String..., environment extra: [String: String] = [:]) throws -> CommandLineRun {
        try CommandLineRun.run(arguments, data: data, environment: environment.merging(extra) { _, new in new })
    }

    @Test func statusSaysWhetherWritebackCanWork() throws {
        let configured = try sesame("directory", "status")
        #expect(configured.status == 0 && configured.standardOutput == "writeback: configured\n")
        let refused = try sesame("directory", "status", environment: ["SESAME_LDAP_BIND_PASSWORD": "wrong"])
        #expect(refused.status == 1 && refused.standardOutput.contains("not configured: the service account's bind was refused"))
        let none = try CommandLineRun.run(["directory", "status"], data: data)
        #expect(none.status == 1 && none.standardOutput == "writeback: not configured: no directory is configured (SESAME_LDAP_URL)\n")
    }

    @Test func syncThenResetAndUnlockThroughTheDirectory() async throws {
        let sync = try sesame("directory", "sync")
        #expect(sync.status == 0, "\(sync.standardError)")
        let lines = sync.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("created ") == true && lines.contains("created henry"))
        #expect(lines.contains { $0.hasPrefix("unusable mobile for carol: ") })
        #expect(try sesame("directory", "sync").standardOutput.contains("created 0, updated 0"))

        let short = try sesame("user", "reset-password", "henry", "--password", "Vq7#mZ2!k")
        #expect(short.status != 0 && short.standardError.contains("too short for the directory's policy"))
        let directory = try target.directory()
        let chosen = "Henry!Reset-\(Int.random(in: 1000...9999))"
        #expect(try sesame("user", "reset-password", "henry", "--password", chosen).status == 0)
        #expect(try await directory.authenticate(userID: "henry", password: chosen))

        for _ in 0..<3 { _ = try await directory.authenticate(userID: "henry", password: "wrong-password") }
        #expect(try await directory.isLocked(userID: "henry"))
        #expect(try sesame("user", "unlock", "henry").status == 0)
        #expect(try await directory.isLocked(userID: "henry") == false)
        let show = try sesame("user", "show", "henry")
        #expect(show.standardOutput.contains("source: directory") && show.standardOutput.contains("alternateEmail: henry@example.org"))
    }
}
