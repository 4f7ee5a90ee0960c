import ArgumentParser
import SesameStore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Bring the database schema up to date (also done by every command).")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        try await store.withContext { context in
            let applied: [String] = switch context.store {
            case let sqlite as SQLiteStore: try sqlite.appliedMigrations()
            case let postgres as PostgresStore: try await postgres.appliedMigrations()
            default: []
            }
            for migration in applied { print("applied \(migration)") }
            print("the database is up to date")
        }
    }
}
