import ArgumentParser
import SesameStore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Bring the database schema up to date (also done by every command).")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let context = try store.context()
        if let sqlite = context.store as? SQLiteStore {
            for migration in try sqlite.appliedMigrations() { print("applied \(migration)") }
        }
        print("the database is up to date")
    }
}
