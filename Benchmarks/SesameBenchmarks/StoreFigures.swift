import Foundation
import Logging
import PostgresNIO
import SesameCore
import SesameDelivery
import Synchronization

// Figures that run the same work on any store, and on several instances of one (each its own connection pool),
// requests spread over them in turn as a load balancer would.

/// Keeps the last code per number, standing in for the SMS provider behind the real delivery queue.
final class BenchmarkSender: MessageSender {
    private let codes = Mutex<[String: String]>([:])

    func provider(for channel: CodeChannel) -> String { "benchmark" }

    func send(_ message: OutgoingMessage) async throws {
        // Reset notices carry no code.
        guard let code = message.text.firstSixDigits else { return }
        codes.withLock { $0[message.to] = code }
    }

    func code(for destination: String) -> String { codes.withLock { $0[destination]! } }
}

/// Wrong-code checks per second: each check takes an attempt in one atomic statement.
func wrongCodeRate(_ stores: [any Store], count: Int) async throws -> Double {
    let secret = ServerSecret.generate(using: SystemRandomSource())
    let services = stores.map { CodeService(store: $0, secret: secret, clock: SystemClock(), random: SystemRandomSource()) }
    let user = User(userID: "codes-\(UUID().uuidString.prefix(8))@contoso.com", createdAt: Date())
    try await stores[0].insertUser(user)
    var challenges: [UUID] = []
    for _ in 0..<(count / 3 + 1) {
        challenges.append(try await services[0].issue(for: user.id, purpose: .reset, channel: .sms, destination: "+33612345678").challenge.id)
    }
    let ids = challenges
    // Three wrong tries per challenge: every check is evaluated and counted.
    return try await operationsPerSecond(count: count, concurrency: 16) { index in
        _ = try await services[index % services.count].verify("000000", challengeID: ids[index / 3])
    }
}

/// Full SMS resets per second (start → choose → phone → code → new password), through each instance's delivery
/// queue, twice as many in flight as cores: one hashes while another waits for the database.
func fullResetRate(_ stores: [any Store], hasher: any PasswordHasher, count: Int) async throws -> Double {
    let secret = ServerSecret.generate(using: SystemRandomSource())
    let sender = BenchmarkSender()
    let queues = stores.map { DeliveryQueue(store: $0, sender: sender, secret: secret, logger: quiet) }
    let workers = queues.map { queue in Task { await queue.run() } }
    defer { workers.forEach { $0.cancel() } }
    // Each instance's services as `serve` wires them, its policy cache included.
    var wired: [ResetService] = []
    for (store, queue) in zip(stores, queues) {
        wired.append(try await SesameServices(
            store: store, secret: secret, hasher: hasher, clock: SystemClock(), random: SystemRandomSource(), outbox: queue, publicURL: "http://localhost").resets)
    }
    let services = wired
    let prefix = UUID().uuidString.prefix(8)
    for index in 0..<count {
        var user = User(userID: "\(prefix)-\(index)@contoso.com", createdAt: Date())
        user.authentication.mobilePhone = try PhoneNumber(callingCode: 33, number: String(format: "6%08d", index))
        try await stores[0].insertUser(user)
    }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    return try await operationsPerSecond(count: count, concurrency: 2 * cores) { index in
        let on = { services[($0 + index) % services.count] }
        // A network of its own for each reset, as many users would have: one network's sends are limited to 20 an hour.
        let client = "10.2.\(index % 250).\(index / 250)"
        guard case .verify(let flow, _, _) = try await on(0).start(userID: "\(prefix)-\(index)@contoso.com", clientAddress: "10.1.\(index).1") else { fatalError("start") }
        guard case .waiting(let phone) = try await on(1).choose(.mobileSMS, in: flow, language: .english, clientAddress: client) else { fatalError("choose") }
        let number = String(format: "+336%08d", index)
        guard case .waiting(let code) = try await on(2).confirmPhone(number, in: phone, language: .english, clientAddress: client) else { fatalError("phone") }
        guard case .passed(let verified, _) = try await on(3).verifyCode(sender.code(for: number), in: code) else { fatalError("code") }
        guard try await on(4).setPassword("Yt7$Mx3!Ps9j-\(index)", in: verified) == .done else { fatalError("password") }
    }
}

/// A fresh database on the benchmark's PostgreSQL server.
func benchDatabase(on server: String) async throws -> String {
    let name = "bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    var components = URLComponents(string: server)!
    let client = PostgresClient(
        configuration: .init(host: components.host!, port: components.port ?? 5432, username: components.user!, password: components.password,
                             database: String(components.path.dropFirst()), tls: .disable),
        backgroundLogger: quiet)
    let running = Task { await client.run() }
    defer { running.cancel() }
    try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
    components.path = "/" + name
    return components.string!
}
