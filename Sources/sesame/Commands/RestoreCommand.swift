import ArgumentParser
import SesameStore

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Check a `sesame backup` file and restore it into an empty data folder (PostgreSQL: psql).")

    @OptionGroup var store: StoreOptions
    @Argument(help: "A file written by `sesame backup`.") var file: String

    func run() async throws {
        let (configuration, path) = try store.sqliteFile(for: "restore", otherwise: "restore a pg_dump with pg_restore or psql")
        try SQLiteBackup.restore(from: file, to: path)
        print("restored \(file) to \(path); put the server secret back at \(configuration.secretFile) before serving")
    }
}
