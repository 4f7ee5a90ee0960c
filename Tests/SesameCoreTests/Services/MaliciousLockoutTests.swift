import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// A stranger's wrong proofs block the stranger's network, not the user; only many networks together block the
/// account (docs/security.md#malicious-lockout).
@Suite struct MaliciousLockoutTests {
    let clock = ManualClock(t0)
    let store: any Store = InMemoryStore()
    let sender = RecordingSender()
    let service: ResetService

    init() {
        service = ResetService(
            store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender,
            reportLinks: .testing(store: store, clock: clock, outbox: sender), clock: clock, random: SeededRandomSource(seed: 3))
    }

    /// Alice, with a temporary access pass (her proof in these tests) and a phone; the pass.
    func alice() async throws -> String {
        var user = User(userID: "alice@contoso.com", passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0)
        user.authentication.mobilePhone = try PhoneNumber(international: "+33 6 12 34 56 78")
        try await store.insertUser(user)
        return try await AccessPassService.testing(store: store, clock: clock, outbox: sender)
            .issue(to: user.userID, terms: AccessPassTerms(singleUse: false), authority: [.globalAdmin], actor: "cli").pass
    }

    func flow(from client: String) async throws -> ResetFlow {
        guard case .verify(let flow, _, _) = try await service.start(userID: "alice@contoso.com", clientAddress: client) else {
            throw TestFailure("\(client) could not start")
        }
        return flow
    }

    /// `count` wrong passes typed from `client`, in one flow; the last answer.
    @discardableResult
    func wrongProofs(_ count: Int, from client: String) async throws -> GateStep {
        let flow = try await flow(from: client)
        var last: GateStep?
        for _ in 1...count { last = try await service.redeemAccessPass("abcd-efgh-jkmn", in: flow) }
        return try #require(last)
    }

    @Test func fiveWrongProofsFromOneNetworkBlockThatNetworkOnly() async throws {
        let pass = try await alice()
        #expect(try await wrongProofs(5, from: "203.0.113.66") == .blocked)
        #expect(try await service.start(userID: "alice@contoso.com", clientAddress: "203.0.113.66") == .blocked)
        let own = try await flow(from: "198.51.100.7")
        guard case .passed(let passed, _) = try await service.redeemAccessPass(pass, in: own) else { throw TestFailure("the user was blocked") }
        #expect(try await service.setPassword("Yt7$Mx3!Ps9j", in: passed) == .done)
    }

    @Test func twentyWrongProofsFromAllNetworksBlockTheAccount() async throws {
        _ = try await alice()
        for network in 1...3 { #expect(try await wrongProofs(5, from: "203.0.113.\(network)") == .blocked) }
        _ = try await flow(from: "198.51.100.7")
        #expect(try await wrongProofs(4, from: "203.0.113.4") != .blocked, "19 in all")
        #expect(try await wrongProofs(1, from: "203.0.113.5") == .blocked, "the twentieth")
        #expect(try await service.start(userID: "alice@contoso.com", clientAddress: "198.51.100.7") == .blocked)
        clock.advance(by: 86_400)
        _ = try await flow(from: "198.51.100.7")
    }

    @Test func aSuccessfulResetLiftsTheBlocksOfEveryNetwork() async throws {
        let pass = try await alice()
        #expect(try await wrongProofs(5, from: "203.0.113.66") == .blocked)
        #expect(try await wrongProofs(4, from: "203.0.113.67") != .blocked)
        let own = try await flow(from: "198.51.100.7")
        guard case .passed(let passed, _) = try await service.redeemAccessPass(pass, in: own) else { throw TestFailure("the user was blocked") }
        #expect(try await service.setPassword("Yt7$Mx3!Ps9j", in: passed) == .done)
        _ = try await flow(from: "203.0.113.66")
        #expect(try await wrongProofs(4, from: "203.0.113.67") != .blocked, "the count started again")
    }
}
