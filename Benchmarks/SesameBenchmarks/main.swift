import Dispatch
import Foundation
import Logging
import SesameArgon2
import SesameCore
import SesameDelivery
import SesameStore
import Synchronization

// Prints Sesame's core figures (README.md#performance): Argon2id at the default parameters, the password policy check
// with the full banned lists, and code issue/verify against the embedded SQLite store. Figures only, no assertions. Run
// through scripts/bench, which builds in release mode.

// `sesame-bench scale …` is scripts/bench-scale's half in Swift (ScaleFigures.swift), `sesame-bench http …`
// scripts/bench-http's (HTTPFigures.swift); without arguments, the figures below.
if let mode = CommandLine.arguments.dropFirst().first, let main = ["scale": scaleMain, "http": httpMain][mode] {
    do {
        try await main(Array(CommandLine.arguments.dropFirst(2)))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("sesame-bench \(mode): \(error)\n".utf8))
        exit(1)
    }
}

print("Sesame benchmarks (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
let quiet = { var logger = Logger(label: "bench"); logger.logLevel = .critical; return logger }()
print(String(repeating: "-", count: 80))

// MARK: Argon2id

let hasher = Argon2idHasher()
let salt = SystemRandomSource().bytes(Argon2Parameters.saltLength)
let oneCore = try operationsPerSecond(count: 30, warmUp: 2) { _ = try hasher.hashNow("correct horse battery staple", salt: salt) }
report("Argon2id hashes per second, m=19 MiB t=2 p=1, one core", oneCore, "hash/s")
let parallel = try await argon2Bound(hasher)
report("Argon2id hashes per second, all cores (the reset bound)", parallel, "hash/s")

// MARK: Password policy

let customTerms = (0..<1_000).map { "term\($0)x" }
let buildStart = ContinuousClock.now
let engine = PasswordPolicyEngine(customBannedTerms: customTerms)
_ = BannedTermIndex.common.count
report("password policy: loading the banned lists (one-off)", seconds(ContinuousClock.now - buildStart) * 1_000, "ms")
let candidates = ["C0ntos0Blank12", "ContoS0Bl@nkf9!", "Zq8#Lw4!Vr2k", "Password1!", "Summer2024!!", "Tr0ub4dor&3",
                  "AliceMartin#1", "term12xSecret!"]
let context = PasswordContext(givenName: "Alice", surname: "Martin", organisationName: "Contoso")
let checks = operationsPerSecond(count: 20_000) { _ = engine.check(candidates.randomElement()!, context: context) }
report("password check, 10–15 characters, 11,000 banned terms", 1_000_000 / checks, "µs/check")
let longChecks = operationsPerSecond(count: 2_000) { _ = engine.check("correct horse battery staple and more words 42!", context: context) }
report("password check, 48 characters, 11,000 banned terms", 1_000_000 / longChecks, "µs/check")

// MARK: Codes on SQLite

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sesame-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let store = try SQLiteStore(path: folder.appendingPathComponent("sesame.sqlite").path)
let user = User(userID: "bench@contoso.com", createdAt: Date())
try await store.insertUser(user)
let codes = CodeService(store: store, secret: .generate(using: SystemRandomSource()), clock: SystemClock(), random: SystemRandomSource())
let count = 4_000
let issued = Mutex<[(VerificationCode, UUID)]>([])
let issueRate = try await operationsPerSecond(count: count, concurrency: 8) { _ in
    let (code, challenge) = try await codes.issue(for: user.id, purpose: .reset, channel: .sms, destination: "+33612345678")
    issued.withLock { $0.append((code, challenge.id)) }
}
report("codes issued per second (SQLite, 8 in flight)", issueRate, "code/s")
let all = issued.withLock { $0 }
let wrongRate = try await operationsPerSecond(count: count, concurrency: 8) { index in
    let (code, id) = all[index]
    _ = try await codes.verify(code.digits == "000000" ? "000001" : "000000", challengeID: id)
}
report("wrong-code checks per second (SQLite, 8 in flight)", wrongRate, "check/s")
let rightRate = try await operationsPerSecond(count: count, concurrency: 8) { index in
    let (code, id) = all[index]
    guard try await codes.verify(code.digits, challengeID: id) == .accepted else { fatalError("a right code was refused") }
}
report("right-code checks per second (SQLite, 8 in flight)", rightRate, "check/s")
report("wrong-code checks per second (SQLite, 16 in flight, as measured for PostgreSQL)", try await wrongCodeRate([store], count: 4_000), "check/s")
// Writes that wait for SQLite's writer together share a transaction (docs/architecture.md#group-commit).
let sessionData = Data(repeating: 7, count: 300)
for concurrency in [1, 32] {
    let rate = try await operationsPerSecond(count: 20_000, concurrency: concurrency) { index in
        try await store.saveSession(key: "bench-\(index % 500)", data: sessionData, userID: nil, expiresAt: Date() + 3_600)
    }
    report("session saves per second (SQLite, \(concurrency) in flight)", rate, "write/s")
}

// MARK: Full resets (start → SMS code → verify → new password), against the Argon2id bound of this run

let resetStore = try SQLiteStore(path: folder.appendingPathComponent("reset.sqlite").path)
let resetSecret = ServerSecret.generate(using: SystemRandomSource())
let resets = try await SesameServices(
    store: resetStore, secret: resetSecret, hasher: hasher, clock: SystemClock(), random: SystemRandomSource(),
    outbox: DeliveryQueue(store: resetStore, sender: ConsoleSender { _ in }, secret: resetSecret, logger: quiet), publicURL: "http://localhost"
).resets
// This machine's speed drifts by tens of per cent within a minute: the bound is measured right before and right after
// the resets, and the share is taken of their mean. Three rounds; the median share is reported.
var shares: [(share: Double, rate: Double, bound: Double)] = []
for _ in 0..<3 {
    let before = try await argon2Bound(hasher)
    let rate = try await fullResetRate([resetStore], hasher: hasher, count: 120)
    let bound = (before + (try await argon2Bound(hasher))) / 2
    shares.append((rate / bound * 100, rate, bound))
}
let median = shares.sorted { $0.share < $1.share }[1]
report("full SMS resets per second (SQLite, delivery queue, 2 per core)", median.rate, "reset/s")
report("  Argon2id bound around that run", median.bound, "hash/s")
report("  as a share of that bound (median of 3 runs)", median.share, "%")

// Unknown user IDs must cost what a known user who cannot be verified costs (docs/security.md#enumeration): compare
// medians.
func medianStart(_ userID: String) async throws -> Double {
    var samples: [Double] = []
    for index in 0..<200 {
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await resets.start(userID: userID, clientAddress: "timing-\(userID)-\(index / 20)")
        samples.append(seconds(clock.now - start) * 1_000_000)
    }
    return samples.sorted()[samples.count / 2]
}
try await resetStore.insertUser(User(userID: "unregistered@contoso.com", createdAt: Date()))
report("\"Who are you?\" median, unknown user ID", try await medianStart("ghost@contoso.com"), "µs")
report("\"Who are you?\" median, known user who cannot be verified", try await medianStart("unregistered@contoso.com"), "µs")

// MARK: PostgreSQL, one instance and two (each with its own connection pool) sharing the load

if let server = ProcessInfo.processInfo.environment["SESAME_BENCH_POSTGRES_URL"] {
    for instances in [1, 2] {
        let database = try await benchDatabase(on: server)
        try await PostgresStore.withStores(instances, url: database, logger: quiet) { stores in
            report("wrong-code checks per second (PostgreSQL, \(instances) instance\(instances == 1 ? "" : "s"), 16 in flight)",
                   try await wrongCodeRate(stores, count: 4_000), "check/s")
            report("full SMS resets per second (PostgreSQL, \(instances) instance\(instances == 1 ? "" : "s"), 2 per core)",
                   try await fullResetRate(stores, hasher: hasher, count: 60), "reset/s")
        }
    }
} else {
    print("(PostgreSQL: set SESAME_BENCH_POSTGRES_URL; scripts/bench does)")
}

// MARK: Delivery queue to local sinks

/// Messages per second through the queue (store, seal, claim, send, record) with `inFlight` pages waiting at once.
func queueRate(_ label: String, sender: any MessageSender, channel: CodeChannel, to destination: String, count: Int) async throws {
    let queueStore = try SQLiteStore(path: folder.appendingPathComponent("queue-\(UUID().uuidString).sqlite").path)
    let queue = DeliveryQueue(store: queueStore, sender: sender, secret: .generate(using: SystemRandomSource()), logger: quiet)
    let workers = Task { await queue.run() }
    defer { workers.cancel() }
    let code = VerificationCode("042917")!
    let rate = try await operationsPerSecond(count: count, concurrency: 16) { _ in
        try await queue.send(MessageComposer.verificationCode(code, channel: channel, to: destination, organisation: "Contoso", language: .english))
    }
    report(label, rate, "msg/s")
}

try await queueRate("queue → console sink (in process), 16 pages waiting", sender: ConsoleSender { _ in }, channel: .sms, to: "+33612345678", count: 2_000)
let webhookSink = try await HTTPSink.start()
try await queueRate("queue → SMS webhook on loopback, 16 pages waiting", sender: WebhookSender(url: webhookSink.url, secret: "bench"), channel: .sms, to: "+33612345678", count: 2_000)
// As a relay such as Exchange Online is used: STARTTLS, then AUTH, on connections kept open between messages.
if let path = ProcessInfo.processInfo.environment["SESAME_BENCH_SMTP_SINK"],
   let info = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any],
   let port = info["starttls"] as? Int, let authority = info["cafile"] as? String,
   let password = (info["password"] as? String)?.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
    let url = "smtp://sesame:\(password)@localhost:\(port)?cafile=\(authority)"
    let smtp = try SMTPSender(settings: SMTPSettings(url: url, from: "Sesame <no-reply@sesame.example>"))
    try await queueRate("queue → SMTP, STARTTLS + AUTH (aiosmtpd), 16 pages waiting", sender: smtp, channel: .email, to: "bench@contoso.example", count: 500)
} else {
    print("(SMTP: set SESAME_BENCH_SMTP_SINK to the sink.json of scripts/smtp-sink; scripts/bench does)")
}

// MARK: Directory writeback

if let path = ProcessInfo.processInfo.environment["SESAME_BENCH_LDAP_ENV"] {
    try await directoryFigures(environmentFile: path)
} else {
    print("(directory: set SESAME_BENCH_LDAP_ENV to the env file of scripts/slapd; scripts/bench does)")
}
