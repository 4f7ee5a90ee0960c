import Foundation
import GRDB
import SesameCore

/// `sesame backup` and `sesame restore` for the SQLite store (docs/operations.md#backup-and-restore): SQLite's
/// online backup, in one step, so that the copy is the database at one instant while servers keep writing.
public enum SQLiteBackup {
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Copies the database at `source`, which servers may be using, into the new file `destination`.
    public static func backup(from source: String, to destination: String) throws {
        guard FileManager.default.fileExists(atPath: source) else { throw Refused("there is no database at \(source)") }
        try copy(try DatabaseQueue(path: source, configuration: connection(readOnly: false)), into: destination)
    }

    /// Checks that `source` is a Sesame database, then copies it to `destination`, whose folder must be empty or
    /// absent: a restore never mixes with, or overwrites, an installation.
    public static func restore(from source: String, to destination: String) throws {
        let folder = URL(fileURLWithPath: destination).deletingLastPathComponent().path
        var present: [String] = []
        if FileManager.default.fileExists(atPath: folder) {
            do {
                present = try FileManager.default.contentsOfDirectory(atPath: folder)
            } catch {
                throw Refused("\(folder) cannot be read, so it cannot be known to be empty: \(error.localizedDescription)")
            }
        }
        guard present.isEmpty else {
            throw Refused("\(folder) is not empty (it holds \(present.sorted().prefix(3).joined(separator: ", "))): restore into an empty data folder")
        }
        let backup = try verified(source)
        // The folder holds password hashes: the service account's alone (docs/security.md#files-on-disk).
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder)
        try copy(backup, into: destination)
    }

    /// The database at `path`, opened read-only once it passes SQLite's integrity check, its migrations are
    /// Sesame's, and its schema is exactly what those migrations build: a backup may have been kept where others can
    /// change it, and a trigger or view added to it would run inside the server (docs/operations.md#backup-and-restore).
    static func verified(_ path: String) throws -> DatabaseQueue {
        guard FileManager.default.isReadableFile(atPath: path) else { throw Refused("\(path) cannot be read") }
        let notSesame = "\(path) is not a Sesame database"
        let database: DatabaseQueue
        let (integrity, migrations): ([String], [String]?)
        do {
            database = try DatabaseQueue(path: path, configuration: connection(readOnly: true))
            (integrity, migrations) = try database.read { db in
                (try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                 try db.tableExists("grdb_migrations") ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : nil)
            }
        } catch {
            throw Refused("\(notSesame): \(error)")
        }
        guard integrity == ["ok"] else { throw Refused("\(path) fails SQLite's integrity check: \(integrity.prefix(3).joined(separator: "; "))") }
        guard let migrations, let first = SQLiteSchema.migrator.migrations.first, migrations.contains(first) else {
            throw Refused("\(notSesame) (it has no Sesame migrations)")
        }
        let unknown = Set(migrations).subtracting(SQLiteSchema.migrator.migrations)
        guard unknown.isEmpty else {
            throw Refused("\(path) comes from a newer Sesame (migrations \(unknown.sorted().joined(separator: ", "))): restore it with that version")
        }
        let applied = Array(SQLiteSchema.migrator.migrations.prefix(migrations.count))
        guard Set(applied) == Set(migrations), let last = applied.last else {
            throw Refused("\(notSesame) (its migrations are not a sequence Sesame applies)")
        }
        let expected = try DatabaseQueue()
        try SQLiteSchema.migrator.migrate(expected, upTo: last)
        let (found, wanted) = (try database.read(schema), try expected.read(schema))
        guard found == wanted else {
            let odd = Set(found).symmetricDifference(wanted).map(\.name).sorted().prefix(3)
            throw Refused("\(path) is not a database Sesame built: its schema differs at \(odd.joined(separator: ", "))")
        }
        return database
    }

    /// Every table, index, trigger and view, with the statement that made it.
    private static func schema(_ db: Database) throws -> [SchemaObject] {
        try Row.fetchAll(db, sql: "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").map { row in
            SchemaObject(type: row["type"] ?? "", name: row["name"] ?? "", sql: row["sql"])
        }
    }

    private struct SchemaObject: Hashable {
        let type: String
        let name: String
        let sql: String?
    }

    /// Writes `source` into `destination`, created `0600` before SQLite opens it: the copy holds password hashes.
    private static func copy(_ source: DatabaseQueue, into destination: String) throws {
        let descriptor = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Refused(errno == EEXIST ? "\(destination) already exists: name a new file" : "\(destination) cannot be created: \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        do {
            let copy = try DatabaseQueue(path: destination)
            try source.backup(to: copy)
            // One file, whatever the source's journal: the copy is read without its -wal beside it.
            try copy.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
            try copy.close()
            try source.close()
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw Refused("the copy to \(destination) failed: \(error)")
        }
    }

    private static func connection(readOnly: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.readonly = readOnly
        // The servers using the database may hold its write lock for a moment.
        configuration.busyMode = .timeout(5)
        return configuration
    }
}
