import Foundation
import SesameCore
import SesameTestSupport
import Synchronization
import Testing

/// Counts the Argon2id computations a check costs (docs/security.md#recovery-codes).
final class CountingHasher: PasswordHasher {
    private let verifications = Mutex(0)
    private let hashes = Mutex(0)

    var verifyCalls: Int { verifications.withLock { $0 } }
    var hashCalls: Int { hashes.withLock { $0 } }

    func hash(_ secret: String) async throws -> String {
        hashes.withLock { $0 += 1 }
        return try await fastHasher.hash(secret)
    }

    func verify(_ secret: String, against hash: String) async -> Bool {
        verifications.withLock { $0 += 1 }
        return await fastHasher.verify(secret, against: hash)
    }

    func needsRehash(_ hash: String) -> Bool { false }
}

@Suite struct RecoveryCodeServiceTests {
    let store = InMemoryStore()
    let hasher = CountingHasher()
    let sender = RecordingSender()
    let service: RecoveryCodeService

    init() {
        service = RecoveryCodeService(store: store, hasher: hasher, outbox: sender, clock: ManualClock(t0), random: SeededRandomSource(seed: 3))
    }

    func registered(_ userID: String = "alice@contoso.com") async throws -> (User, [RecoveryCode]) {
        var user = User(userID: userID, createdAt: t0)
        user.authentication.alternateEmail = try EmailAddress("alice@example.org")
        try await store.insertUser(user)
        let new = try await service.generate()
        #expect(try await service.confirm(new.codes[4].grouped, of: new.hashes, for: user, requestID: nil))
        return (try #require(try await store.user(id: user.id)), new.codes)
    }

    @Test func aSetCountsOnlyOnceOneOfItsCodesIsTypedBack() async throws {
        let user = User(userID: "alice@contoso.com", createdAt: t0)
        try await store.insertUser(user)
        let new = try await service.generate()
        #expect(new.hashes.count == 10 && new.hashes.allSatisfy { $0.hash.hasPrefix("$argon2id$") })
        #expect(try await store.recoveryCodes(userID: user.id).isEmpty, "nothing stored before the confirmation")
        #expect(try await !service.confirm("0000-0000-0000-0000", of: new.hashes, for: user, requestID: nil))
        #expect(try await store.user(id: user.id)?.authentication.recoveryCodesLeft == 0)
        #expect(try await service.confirm(new.codes[7].canonical.lowercased(), of: new.hashes, for: user, requestID: "req-1"))
        #expect(try await store.user(id: user.id)?.authentication.recoveryCodesLeft == 10)
        let audit = try #require(try await store.auditEvents(ActivityQuery()).first)
        #expect(audit.activity == .recoveryCodesGenerated && audit.target == "alice@contoso.com" && audit.requestID == "req-1")
        #expect(!audit.detail.contains(new.codes[7].canonical))
    }

    @Test func aCodeWorksOnce() async throws {
        let (user, codes) = try await registered()
        #expect(try await service.use(codes[2].grouped, by: user, policy: .contoso) == .accepted(left: 9))
        #expect(try await service.use(codes[2].grouped, by: user, policy: .contoso) == .wrong)
        #expect(try await service.use("not a code", by: user, policy: .contoso) == .malformed)
    }

    /// Right, wrong or already used: one Argon2id computation each, whatever the size of the set.
    @Test func checkingACodeCostsOneHash() async throws {
        let (user, codes) = try await registered()
        let before = hasher.verifyCalls
        _ = try await service.use(codes[9].grouped, by: user, policy: .contoso)
        #expect(hasher.verifyCalls - before == 1, "right")
        _ = try await service.use("9ZZZ-ZZZZ-ZZZZ-ZZZZ", by: user, policy: .contoso)
        #expect(hasher.verifyCalls - before == 2, "wrong, its slot empty now: compared with another hash")
        _ = try await service.use("1ZZZ-ZZZZ-ZZZZ-ZZZZ", by: user, policy: .contoso)
        #expect(hasher.verifyCalls - before == 3, "wrong")
        _ = try await service.use("1ZZZ", by: user, policy: .contoso)
        #expect(hasher.verifyCalls - before == 3, "malformed: nothing compared")
    }

    @Test func ofTwoRequestsWithOneCodeExactlyOnePasses() async throws {
        let (user, codes) = try await registered()
        let results = try await withThrowingTaskGroup(of: RecoveryCodeUse.self) { group in
            for _ in 0..<2 { group.addTask { try await service.use(codes[0].grouped, by: user, policy: .contoso) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0 == .accepted(left: 9) }.count == 1)
        #expect(results.filter { $0 == .wrong }.count == 1)
    }

    @Test func aConfirmedNewSetVoidsTheOld() async throws {
        let (user, old) = try await registered()
        let new = try await service.generate()
        #expect(try await service.use(old[1].grouped, by: user, policy: .contoso) == .accepted(left: 9), "the old set works until the new one is confirmed")
        #expect(try await service.confirm(new.codes[0].grouped, of: new.hashes, for: user, requestID: nil))
        #expect(try await service.use(old[2].grouped, by: user, policy: .contoso) == .wrong)
        #expect(try await service.use(new.codes[2].grouped, by: user, policy: .contoso) == .accepted(left: 9))
        #expect(try await store.auditEvents(ActivityQuery()).filter { $0.activity == .recoveryCodesGenerated }.count == 2)
    }

    @Test func theUserIsToldOnceWhenThreeCodesAreLeft() async throws {
        let (user, codes) = try await registered()
        for code in codes.prefix(6) { _ = try await service.use(code.grouped, by: user, policy: .contoso) }
        #expect(sender.messages.isEmpty, "4 left")
        #expect(try await service.use(codes[6].grouped, by: user, policy: .contoso) == .accepted(left: 3))
        let notice = try #require(sender.messages.first)
        #expect(sender.messages.count == 1 && notice.to == "alice@example.org" && notice.subject?.contains("3") == true)
        #expect(codes.allSatisfy { !notice.text.contains($0.canonical) && !notice.text.contains($0.grouped) })
        _ = try await service.use(codes[7].grouped, by: user, policy: .contoso)
        #expect(sender.messages.count == 1, "once, when the count falls to 3")
        let stored = try #require(try await store.user(id: user.id))
        #expect(RecoveryCodeService.runningLow(stored.authentication, under: try Policy().setting(.methods, to: "email,recoveryCodes").effective(for: stored)) == 2)
        #expect(RecoveryCodeService.runningLow(stored.authentication, under: Policy().effective(for: stored)) == nil, "not offered")
    }

    @Test func anAdministratorVoidsTheSet() async throws {
        let (user, codes) = try await registered()
        let administration = UserAdministration(store: store, hasher: fastHasher, clock: ManualClock(t0), outbox: sender, reportLinks: .testing(store: store, clock: ManualClock(t0), outbox: sender))
        try await administration.voidRecoveryCodes(userID: user.userID, actor: "admin@contoso.com")
        #expect(try await store.user(id: user.id)?.authentication.recoveryCodesLeft == 0)
        #expect(try await service.use(codes[3].grouped, by: user, policy: .contoso) == .wrong)
        let audit = try #require(try await store.auditEvents(ActivityQuery()).first)
        #expect(audit.activity == .recoveryCodesVoided && audit.actor == "admin@contoso.com")
    }
}

extension Policy {
    /// The default policy with the organisation the notices name.
    fileprivate static var contoso: Policy {
        var policy = Policy()
        policy.organisationName = "Contoso"
        return policy
    }
}
