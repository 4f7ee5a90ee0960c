import Foundation
import SesameCore
import SesameStore
import Testing

@Suite struct SignInServiceTests {
    let clock = ManualClock(t0)
    let store: any Store
    let service: SignInService

    init() async throws {
        store = try SQLiteStore.temporary()
        service = SignInService(
            store: store, hasher: fastHasher, directory: nil, secret: .generate(using: SystemRandomSource()), clock: clock,
            dummyHash: try await fastHasher.hash("dummy"))
        try await store.insertUser(User(userID: "alice@contoso.com", passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0))
    }

    @Test func failuresFromOneNetworkStopItWithoutStoppingOthers() async throws {
        for index in 1...30 {
            #expect(try await service.signIn(userID: "user\(index)@contoso.com", password: "guess", clientAddress: "203.0.113.1") == .failed)
        }
        #expect(try await service.signIn(userID: "alice@contoso.com", password: "Zq8#Lw4!Vr2k", clientAddress: "203.0.113.1") == .tooManyFromNetwork)
        guard case .accepted = try await service.signIn(userID: "alice@contoso.com", password: "Zq8#Lw4!Vr2k", clientAddress: "198.51.100.1") else {
            throw TestFailure("another network was refused")
        }
        clock.advance(by: 1_801)
        guard case .accepted = try await service.signIn(userID: "alice@contoso.com", password: "Zq8#Lw4!Vr2k", clientAddress: "203.0.113.1") else {
            throw TestFailure("still refused after 30 minutes")
        }
    }

    /// An unknown user ID locks and unlocks on the same schedule as a real one, its own name in any case.
    @Test func anUnknownUserIDLocksOnARealUsersSchedule() async throws {
        for userID in ["alice@contoso.com", "ghost@contoso.com"] {
            for attempt in 1...10 {
                #expect(try await service.signIn(userID: userID, password: "wrong \(attempt)", clientAddress: "a\(attempt)") == .failed)
            }
            #expect(try await service.signIn(userID: userID.uppercased(), password: "wrong 11", clientAddress: "b") == .locked(until: t0.addingTimeInterval(60)))
        }
        clock.advance(by: 61)
        // The eleventh failure locks for twice as long, for both.
        for userID in ["alice@contoso.com", "ghost@contoso.com"] {
            #expect(try await service.signIn(userID: userID, password: "wrong 11", clientAddress: "c") == .failed)
            #expect(try await service.signIn(userID: userID, password: "wrong 12", clientAddress: "c") == .locked(until: clock.now.addingTimeInterval(120)))
        }
    }
}
