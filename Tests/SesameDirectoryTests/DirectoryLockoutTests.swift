import Foundation
import SesameCore
import SesameDirectory
import SesameStore
import SesameTestSupport
import Testing

/// Strangers typing passwords at `/signin` cannot lock a directory account: Sesame stops checking before the
/// directory's own lockout fires (docs/security.md#directory-lockout). Both test directories lock after 3 failures.
@Suite(.serialized) struct DirectoryLockoutTests {
    let run = String(Int.random(in: 1000...9999))
    let clock = ManualClock(t0)
    /// Two failed binds in a row, then Sesame holds the user ID for ten minutes.
    let limit = DirectoryBindLimit(failures: 2, window: 600)

    func service(_ store: any Store, _ directory: LDAPDirectory) async throws -> SignInService {
        SignInService(
            store: store, hasher: fastHasher, directory: directory, secret: .generate(using: SystemRandomSource()), clock: clock,
            dummyHash: try await fastHasher.hash("dummy"), bindLimit: limit)
    }

    @Test(arguments: TestDirectory.all) func guessesNeverLockTheDirectoryAccount(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        let ivan = target.user("ivan")
        let password = "Ivan!Lockout-Pass-\(run)"
        try await directory.resetPassword(userID: ivan, new: password, mustChange: false)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sesame-lockout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: folder.appendingPathComponent("sesame.sqlite").path)
        try await store.insertUser(User(userID: ivan, source: .directory, createdAt: t0))
        let service = try await service(store, directory)
        let ghost = "ghost-\(run)"

        // Six different guesses from six networks: two reach the directory, then Sesame answers for it; an ID that
        // matches nobody is held on the very same schedule.
        for userID in [ivan, ghost] {
            var outcomes: [SignInService.Outcome] = []
            for attempt in 1...6 {
                outcomes.append(try await service.signIn(userID: userID, password: "Wrong-\(attempt)", clientAddress: "198.51.100.\(attempt)"))
            }
            #expect(outcomes == [.failed, .failed] + Array(repeating: .locked(until: t0.addingTimeInterval(600)), count: 4), "\(userID)")
        }
        #expect(try await directory.isLocked(userID: ivan) == false)
        clock.advance(by: 601)
        guard case .accepted = try await service.signIn(userID: ivan, password: password, clientAddress: "203.0.113.1") else {
            throw TestFailure("the right password was refused once the streak ended")
        }

        // One wrong password typed again and again reaches the directory once.
        for _ in 1...5 {
            #expect(try await service.signIn(userID: ivan, password: "Same-Wrong", clientAddress: "203.0.113.2") == .failed)
        }
        #expect(try await service.signIn(userID: ivan, password: "Other-Wrong", clientAddress: "203.0.113.2") == .failed)
        #expect(try await directory.isLocked(userID: ivan) == false)
        #expect(try await service.signIn(userID: ivan, password: password, clientAddress: "203.0.113.2") == .locked(until: clock.now.addingTimeInterval(600)))
        clock.advance(by: 601)
        guard case .accepted = try await service.signIn(userID: ivan, password: password, clientAddress: "203.0.113.3") else {
            throw TestFailure("the directory account was locked")
        }
    }

    /// Two instances on one PostgreSQL database, each checking at most one password at a time per user ID: before,
    /// their lockout writes overwrote each other and both bound at once, so that simultaneous guesses locked the
    /// account in the directory. Now each check is claimed in the store first.
    @Test(arguments: TestDirectory.all) func instancesTogetherStayUnderTheLimit(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        let ivan = target.user("ivan")
        let password = "Ivan!Instances-Pass-\(run)"
        try await directory.resetPassword(userID: ivan, new: password, mustChange: false)
        try await PostgresStore.withStore(url: PostgresTestServer.freshDatabase()) { store in
            try await store.insertUser(User(userID: ivan, source: .directory, createdAt: t0))
            let instances = [try await service(store, directory), try await service(store, directory)]
            for round in 1...3 {
                let outcomes = try await withThrowingTaskGroup(of: SignInService.Outcome.self) { group in
                    for guess in 0..<8 {
                        group.addTask {
                            try await instances[guess % 2].signIn(
                                userID: ivan, password: "Wrong-\(round)-\(guess)", clientAddress: "198.51.100.\(guess)")
                        }
                    }
                    return try await group.reduce(into: [SignInService.Outcome]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 == .failed }.count == (round == 1 ? 2 : 0), "round \(round): \(outcomes)")
                #expect(try await directory.isLocked(userID: ivan) == false, "round \(round)")
            }
            clock.advance(by: 601)
            guard case .accepted = try await instances[1].signIn(userID: ivan, password: password, clientAddress: "203.0.113.4") else {
                throw TestFailure("the right password was refused once the streak ended")
            }
        }
    }
}
