import ArgumentParser
import SesameStore

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Copy the SQLite database, consistent and 0600, to a new file while the server runs (PostgreSQL: pg_dump).")

    @OptionGroup var options: BackupOptions

    func run() async throws {
        let path = try options.sqliteFile(for: "backup", otherwise: "back it up with pg_dump").path
        try SQLiteBackup.backup(from: path, to: options.file)
        print("backed up \(path) to \(options.file)")
    }
}
