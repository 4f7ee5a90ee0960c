import ArgumentParser
import SesameStore

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Check a `sesame backup` file and restore it into an empty data folder (PostgreSQL: psql).")

    @OptionGroup var options: BackupOptions

    func run() async throws {
        let (configuration, path) = try options.sqliteFile(for: "restore", otherwise: "restore a pg_dump with pg_restore or psql")
        try SQLiteBackup.restore(from: options.file, to: path)
        print("restored \(options.file) to \(path); put the server secret back at \(configuration.secretFile) before serving")
    }
}
