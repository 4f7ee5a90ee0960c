import Foundation
import SesameCore
import SesameDirectory

/// Writeback against the throwaway slapd that `scripts/bench` starts (StartTLS, ppolicy): each operation opens a
/// connection, binds as the service account, finds the user, acts and closes, as the portals do.
func directoryFigures(environmentFile path: String) async throws {
    let values = Dictionary(uniqueKeysWithValues: try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        .compactMap { line in line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) } })
    let directory = LDAPDirectory(settings: LDAPSettings(
        url: values["SESAME_TEST_LDAP_URL"]!, bindDN: values["SESAME_TEST_LDAP_BIND_DN"]!,
        bindPassword: values["SESAME_TEST_LDAP_BIND_PASSWORD"]!, baseDN: values["SESAME_TEST_LDAP_BASE_DN"]!,
        certificateAuthorityFile: values["SESAME_TEST_LDAP_CA_FILE"]))
    let users = ["alice", "bob", "frank", "grace", "henry"]
    let run = Int.random(in: 1000...9999)
    // One at a time first: the latency a person waits for (Entra quotes "typically under 500 ms" for writeback;
    // README.md#performance).
    var latencies: [Double] = []
    for index in 0..<50 {
        let start = ContinuousClock.now
        try await directory.resetPassword(userID: "alice", new: "Bench!Pass-\(run)-\(index)", mustChange: false)
        latencies.append(seconds(ContinuousClock.now - start) * 1_000)
    }
    report("writeback reset latency, one at a time (slapd, StartTLS), median", latencies.sorted()[latencies.count / 2], "ms")
    let resets = try await operationsPerSecond(count: 500, concurrency: 8) { index in
        try await directory.resetPassword(userID: users[index % users.count], new: "Bench!Pass-\(run)-\(index)-x", mustChange: false)
    }
    report("writeback resets per second (slapd, StartTLS, 8 in flight)", resets, "reset/s")
    // The right password each time: wrong ones would lock the account after three.
    try await directory.resetPassword(userID: "henry", new: "Bench!Henry-\(run)", mustChange: false)
    let binds = try await operationsPerSecond(count: 500, concurrency: 8) { _ in
        _ = try await directory.authenticate(userID: "henry", password: "Bench!Henry-\(run)")
    }
    report("directory sign-in checks per second (find, then bind)", binds, "check/s")
}
