import Foundation
import SesameCore
import SesameStore
import SesameTestSupport

/// The adapters the store contract suite runs against; PostgreSQL is the cluster `scripts/test` starts.
enum StoreAdapter: String, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    var description: String { rawValue }

    /// A fresh, empty, migrated store of this kind.
    func make() async throws -> any Store {
        switch self {
        case .sqlite: try SQLiteStore.temporary()
        case .postgres: try await PostgresStore(url: PostgresTestServer.freshDatabase())
        }
    }
}

extension SQLiteStore {
    /// A fresh, empty, migrated SQLite store in a folder of its own (what the service tests run on).
    static func temporary() throws -> SQLiteStore {
        try SQLiteStore(path: TemporaryFolder.make().appendingPathComponent("sesame.sqlite").path)
    }
}

enum TemporaryFolder {
    static func make() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sesame-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}


func sampleUser(_ userID: String = "alice@contoso.com", at date: Date = t0) throws -> User {
    var user = User(
        userID: userID, displayName: "Alice Martin", givenName: "Alice", surname: "Martin", roles: [.passwordAdmin],
        groups: ["staff", "sspr"], passwordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", passwordChangedAt: date,
        locale: .french, createdAt: date)
    user.authentication = AuthenticationData(
        authenticationPhone: try PhoneNumber(international: "+33 6 11 11 11 11"),
        authenticationEmail: try EmailAddress("alice@private.example"),
        mobilePhone: try PhoneNumber(international: "+33 6 22 22 22 22"),
        officePhone: try PhoneNumber(international: "+33 1 23 45 67 89"),
        alternateEmail: try EmailAddress("甲斐@黒川.日本"),
        securityAnswers: [SecurityAnswer(question: .predefined(4), answerHash: "h1"), SecurityAnswer(question: .custom("Badge colour?"), answerHash: "h2")])
    user.registration = RegistrationState(registeredAt: date, lastConfirmedAt: date.addingTimeInterval(60))
    // Without a streak: only claims write one (LockoutStoreContractTests).
    user.lockout = SignInLockout(failures: 1, recentWrongPasswords: ["fp1"], lastFailureAt: date)
    return user
}
