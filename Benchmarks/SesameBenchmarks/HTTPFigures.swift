import AsyncHTTPClient
import Foundation
import NIOCore
import SesameArgon2
import SesameCore
import SesameStore
import Synchronization

// `sesame-bench http …`: the load generator of scripts/bench-http, which starts the servers and passes their
// addresses here (README.md#over-http-beside-privacyidea).
//   http seed --sqlite PATH --users N --reset-users R --password P
//       prepares N users who may sign in, with no method yet (so a first registration needs no step-up), and R users
//       registered with an authentication phone, for resets
//   http run --sink-port P --seconds S --concurrency 8,32 [--sesame URL --sesame-pid PID --users N --reset-users R
//            --password P [--expected-rate F]] [--flows registration,wrong,reset]
//            [--privacyidea-env FILE]
//       drives each server through the same flows at each concurrency, then prints the figures side by side
// Figures only, as the rest of sesame-bench: nothing is asserted.

func httpMain(_ arguments: [String]) async throws {
    let options = try BenchOptions(Array(arguments.dropFirst()))
    switch arguments.first {
    case "seed":
        let hash = try await Argon2idHasher().hash(try options.text("password"))
        let now = Date()
        var batch = UserBatch()
        batch.inserts = (0..<(try options.number("users"))).map { index in
            User(userID: SesameLoad.userID(index), displayName: "Load \(index)", roles: [], passwordHash: hash, passwordChangedAt: now, createdAt: now)
        }
        // Registered with an authentication phone: what a reset by SMS needs.
        batch.inserts += try (0..<(try options.number("reset-users"))).map { index in
            var user = User(userID: SesameLoad.resetUserID(index), displayName: "Reset \(index)", roles: [], passwordHash: hash, passwordChangedAt: now, createdAt: now)
            user.authentication.authenticationPhone = try PhoneNumber(international: SesameLoad.resetPhone(index))
            user.registration = RegistrationState(registeredAt: now, lastConfirmedAt: now)
            return user
        }
        try await SQLiteStore(path: try options.text("sqlite")).apply(batch)
    case "run":
        try await runHTTPFigures(options)
    default:
        throw BenchUsage()
    }
}

private func runHTTPFigures(_ options: BenchOptions) async throws {
    let inbox = CodeInbox()
    _ = try await HTTPSink.start(port: try options.number("sink-port"), inbox: inbox)
    var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
    // The pool drops an idle connection before the server's 30-second idle timeout closes it: a request sent on a
    // connection the server is closing fails ("connection reset by peer") and would end the run.
    configuration.connectionPool = .init(idleTimeout: .seconds(20), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    do {
        try await drive(client, inbox: inbox, options)
        try await client.shutdown()
    } catch {
        try? await client.shutdown()
        throw error
    }
}

private func drive(_ client: HTTPClient, inbox: CodeInbox, _ options: BenchOptions) async throws {
    let duration = Duration.seconds(try options.number("seconds"))
    let levels = (options.values["concurrency"] ?? "8,32").split(separator: ",").compactMap { Int($0) }
    let flows = Set((options.values["flows"] ?? "registration,wrong,reset").split(separator: ",").map(String.init))
    var results: [String: [LoadLevel.Figures]] = [:]
    var memory: [String: (idle: Int, after: Int)] = [:]
    var bound: (before: Double, after: Double)?
    var proofOfWork: Double?

    if let url = options.values["sesame"] {
        let server = ServerProcess(pid: Int32(try options.number("sesame-pid")))
        let load = SesameLoad(client: client, base: url, inbox: inbox, password: try options.text("password"), users: try options.number("users"), resetUsers: try options.number("reset-users"),
            expectedRate: Int(options.values["expected-rate"] ?? "") ?? 200)
        let idle = server.residentBytes()
        var figures = try await load.figures(levels: levels, duration: duration, server: server, flows: flows.subtracting(["reset"]), resetsPerSecond: 0)
        if flows.contains("reset") {
            // What bounds full resets: Argon2id hashes a second on every core, the server idle, just before the
            // resets and just after; the higher of the two counts, as this machine's speed drifts within minutes.
            let hasher = Argon2idHasher()
            let before = try await argon2Bound(hasher)
            figures += try await load.figures(
                levels: levels, duration: duration, server: server, flows: ["reset"], resetsPerSecond: before / SesameLoad.hashesPerReset)
            let after = try await argon2Bound(hasher)
            bound = (before, after)
        }
        results["Sesame"] = figures
        memory["Sesame"] = (idle, server.residentBytes())
        proofOfWork = load.proofOfWorkMilliseconds
    }
    if let file = options.values["privacyidea-env"] {
        let environment = try PrivacyIDEALoad.environment(file)
        let server = ServerProcess(pid: Int32(environment["PRIVACYIDEA_PID"] ?? "") ?? 0)
        let load = try PrivacyIDEALoad(client: client, environment: environment, inbox: inbox)
        let idle = server.residentBytes()
        results["privacyIDEA"] = try await load.figures(levels: levels, duration: duration, server: server, flows: flows)
        memory["privacyIDEA"] = (idle, server.residentBytes())
    }
    printFigures(results, memory: memory)
    if let bound {
        let highest = max(bound.before, bound.after)
        print("Argon2id bound: \(String(format: "%.1f", highest)) hashes/s on \(ProcessInfo.processInfo.activeProcessorCount) cores, measured in this run "
            + "(\(String(format: "%.1f", bound.before)) before the resets, \(String(format: "%.1f", bound.after)) after)")
        for figures in results["Sesame"] ?? [] where figures.name == "full reset" {
            let share = figures.rate * SesameLoad.hashesPerReset / highest * 100
            print("full reset at \(figures.concurrency): \(Int(share.rounded())) % of the bound at one Argon2id a reset")
        }
        if let proofOfWork, proofOfWork > 0 {
            print("the client solved each proof of work in \(String(format: "%.1f", proofOfWork)) ms, before its level, as a browser does on its own device")
        }
    }
}

private func printFigures(_ results: [String: [LoadLevel.Figures]], memory: [String: (idle: Int, after: Int)]) {
    func fixed(_ value: Double) -> String { value >= 100 ? String(Int(value.rounded())) : String(format: "%.1f", value) }
    print("")
    print("server       flow                          conc  flows/s    p50    p90    p99    max  errors  CPU s  peak MiB")
    for server in ["Sesame", "privacyIDEA"] {
        for figures in results[server] ?? [] {
            let columns = [
                fixed(figures.rate).leftPadded(to: 8), fixed(figures.percentile(0.5)).leftPadded(to: 6), fixed(figures.percentile(0.9)).leftPadded(to: 6),
                fixed(figures.percentile(0.99)).leftPadded(to: 6), fixed(figures.latencies.last ?? 0).leftPadded(to: 6),
                String(figures.errors).leftPadded(to: 7), fixed(figures.cpuSeconds).leftPadded(to: 6), String(figures.peakRSS >> 20).leftPadded(to: 9),
            ]
            print(server.padding(toLength: 13, withPad: " ", startingAt: 0) + figures.name.padding(toLength: 30, withPad: " ", startingAt: 0)
                + String(figures.concurrency).leftPadded(to: 4) + " " + columns.joined(separator: " "))
            if let pace = figures.pace {
                print("             paced: \(fixed(pace)) flows due a second (80 % of the fastest level), latencies from when each was due")
                print("             p99 of each second's flows: " + figures.p99BySecond.map { $0.map(fixed) ?? "–" }.joined(separator: " "))
            }
            if let error = figures.firstError { print("             first error: \(error.prefix(300))") }
            if figures.ranOut { print("             a worker ran out of prepared users before the time was up") }
        }
        if let (idle, after) = memory[server] { print("\(server): resident memory idle \(idle >> 20) MiB, after the load \(after >> 20) MiB") }
    }
    let sesame = results["Sesame"] ?? [], peer = results["privacyIDEA"] ?? []
    for ours in sesame {
        guard ours.pace == nil, let theirs = peer.first(where: { $0.name == ours.name && $0.concurrency == ours.concurrency && $0.pace == nil }), theirs.rate > 0
        else { continue }
        print("ratio Sesame / privacyIDEA, \(ours.name) at \(ours.concurrency): \(fixed(ours.rate / theirs.rate))×")
    }
    print("(latencies in milliseconds; CPU s: the server's processor time during the level, its workers included)")
}
