import Dispatch
import Foundation
import SesameCore
import SesameStore
import Synchronization

// Prints Sesame's core figures (DESIGN.md §5): Argon2id at the default parameters, the password policy check with
// the full banned lists, and code issue/verify against the embedded SQLite store. Figures only, no assertions.
// Run through scripts/bench, which builds in release mode.

print("Sesame benchmarks (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
print(String(repeating: "-", count: 80))

// MARK: Argon2id

let hasher = Argon2idHasher()
let salt = SystemRandomSource().bytes(Argon2Parameters.saltLength)
let oneCore = try operationsPerSecond(count: 30, warmUp: 2) { _ = try hasher.hashNow("correct horse battery staple", salt: salt) }
report("Argon2id hashes per second, m=19 MiB t=2 p=1, one core", oneCore, "hash/s")
let cores = ProcessInfo.processInfo.activeProcessorCount
let parallel = try await operationsPerSecond(count: 30 * cores, concurrency: cores) { _ in
    _ = try await hasher.hash("correct horse battery staple")
}
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
