import Foundation
import SesameCore
import SesameStore

/// The composition root: adapters chosen from the configuration and the core services wired on them.
struct AppContext: Sendable {
    let configuration: Configuration
    let store: any Store
    let secret: ServerSecret
    let clock: any WallClock
    let random: any RandomSource
    let hasher: any PasswordHasher

    /// Creates the data folder and opens (and migrates) the store.
    static func open(_ configuration: Configuration) throws -> AppContext {
        let random = SystemRandomSource()
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let store: any Store
        switch configuration.database {
        case .sqlite(let path):
            let folder = (path as NSString).deletingLastPathComponent
            do {
                if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            } catch {
                throw StoreError.unavailable("cannot open \(path): its folder cannot be created")
            }
            store = try SQLiteStore(path: path)
        case .postgres:
            throw ConfigurationError("SESAME_DATABASE_URL: PostgreSQL support is not in this build yet; use sqlite:PATH")
        }
        let secret = try SecretFile.load(
            path: configuration.secretFile, createIfMissing: configuration.database.isEmbedded, random: random)
        return AppContext(
            configuration: configuration, store: store, secret: secret, clock: SystemClock(), random: random,
            hasher: Argon2idHasher(random: random))
    }

    var users: UserAdministration { UserAdministration(store: store, hasher: hasher, clock: clock) }
    var policies: PolicyService { PolicyService(store: store, clock: clock) }
    var tokens: TokenService { TokenService(store: store, clock: clock, random: random) }
    var reports: ReportService { ReportService(store: store) }
}

extension Configuration.Database {
    var isEmbedded: Bool {
        if case .sqlite = self { return true }
        return false
    }
}
