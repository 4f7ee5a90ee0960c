import Foundation
import GRDB
import SesameCore

/// The embedded store: one SQLite file in WAL mode (readers never wait for the writer), foreign keys on, and the
/// migrations applied when it opens. Every state change the core needs to be atomic is a single SQL statement.
public final class SQLiteStore: Store {
    let pool: DatabasePool
    /// Connections of their own for ``lookUp(_:)``, read only: see there why they are not `pool`'s.
    private let lookups: DatabasePool
    let batchTurn = BatchTurn()
    private let checkpointer: WALCheckpointer
    private let writes: GroupCommit

    /// Opens (creating if needed) the database at `path` and migrates it.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // Another process (the CLI next to a running server) may hold the write lock for a moment.
        configuration.busyMode = .timeout(5)
        configuration.label = "sesame"
        // In WAL mode NORMAL never corrupts the database; a power cut may lose the last commits, not the file. FULL
        // would add an fsync to each of the ten or so commits of a reset.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL; " + Self.writerOtherwise) }
        do {
            // Created empty and private first: SQLite gives its -wal and -shm files the database file's mode, and
            // would otherwise create all three under the umask (docs/security.md#files-on-disk).
            // When it cannot be created, opening it below says why.
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteSchema.migrator.migrate(pool)
            try Self.deriveMissingColumns(in: pool)
            checkpointer = try WALCheckpointer(path: path, batches: batchTurn)
            // A write that changed nothing (the delivery workers' claim, every second, on an idle server) leaves the
            // WAL as it was, and needs no checkpoint.
            writes = GroupCommit(pool: pool) { [checkpointer] in checkpointer.noteWrite() }
            var lookingUp = Configuration()
            lookingUp.readonly = true
            lookingUp.label = "sesame-lookups"
            // One a thread that runs tasks: a lookup seldom waits for a connection, and then only while another
            // lookup runs.
            lookingUp.maximumReaderCount = max(ProcessInfo.processInfo.activeProcessorCount, 2)
            lookups = try DatabasePool(path: path, configuration: lookingUp)
        } catch {
            throw StoreError.unavailable("cannot open \(path): \(error)")
        }
    }

    /// The migrations applied to this database, oldest first (what `sesame migrate` reports).
    public func appliedMigrations() throws -> [String] {
        try pool.read { try SQLiteSchema.migrator.appliedMigrations($0) }
    }

    /// Closes the database; every later call fails with ``StoreError/unavailable(_:)``.
    public func close() throws {
        try checkpointer.close()
        try lookups.close()
        // GRDB's close shuts the writer before the readers: its idle readers are let go first, so that the writer is
        // the last connection, which copies the WAL into the database and deletes it.
        pool.releaseMemory()
        try pool.close()
    }

    /// As in ``close()``, the pool's writer closes last: the last connection to close copies the WAL into the database
    /// and deletes it. A read-only lookup connection cannot, and the checkpointer's, left to its task, would close
    /// later, on a task thread, or never in a command that exits first.
    deinit {
        try? checkpointer.close()
        try? lookups.close()
    }

    public func ping() async throws {
        try await read { db in _ = try Int.fetchOne(db, sql: "SELECT 1") }
    }

    // MARK: Access with errors mapped to StoreError

    /// A read that may scan (a report, a page of users, a count): on one of GRDB's reader queues, so that a long one
    /// holds none of the few threads that run requests.
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.readFailure(error)
        }
    }

    /// A lookup by key (a session, a user, a code, a throttle): on the calling thread. It takes microseconds, and the
    /// trip to a reader's queue and back took more than the read (docs/architecture.md#threads). In WAL mode a read
    /// never waits for the writer. It never waits for `pool`'s readers either: an asynchronous read holds one of
    /// those across its suspensions and needs a task thread to give it back, so task threads blocked waiting for
    /// one would wait for ever. A lookup's connection is only ever held by another lookup, which does not suspend.
    func lookUp<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try lookups.read(body)
        } catch {
            throw Self.readFailure(error)
        }
    }

    private static func readFailure(_ error: any Error) -> StoreError {
        error as? StoreError ?? .unavailable(String(describing: error))
    }

    /// A write, committed with those queued beside it (docs/architecture.md#group-commit); `alone`, in a transaction
    /// of its own.
    func write<T: Sendable>(alone: Bool = false, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writes.write(alone: alone, body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw StoreError.conflict(error.message ?? "unique constraint")
        } catch {
            throw StoreError.unavailable(String(describing: error))
        }
    }
}

extension Date {
    var unixSeconds: Double { timeIntervalSince1970 }
    init(unixSeconds: Double) { self.init(timeIntervalSince1970: unixSeconds) }
}

/// A row read by column name: GRDB's `Row`, or a ``PositionedRow`` of a result whose names were looked up once.
protocol ColumnReading {
    subscript<Value: DatabaseValueConvertible>(_ column: String) -> Value { get }
}

extension Row: ColumnReading {}

/// A row of a result whose columns' positions were looked up once, from its first row. A row GRDB has fetched finds
/// a column by lowercasing every name before it, at each read: reading a user that way was a third of a directory
/// sync's time (docs/scale.md#batches).
struct PositionedRow: ColumnReading {
    let row: Row
    let positions: [String: Int]

    /// The rows of one result, which share their columns.
    static func rows(_ rows: [Row]) -> [PositionedRow] {
        guard let first = rows.first else { return [] }
        let positions = Dictionary(first.columnNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { earlier, _ in earlier })
        return rows.map { PositionedRow(row: $0, positions: positions) }
    }

    /// A name the result does not hold is GRDB's to answer, as it would have been.
    subscript<Value: DatabaseValueConvertible>(_ column: String) -> Value {
        guard let position = positions[column] else { return row[column] }
        return row[position]
    }
}

extension ColumnReading {
    func date(_ column: String) -> Date? {
        (self[column] as Double?).map(Date.init(unixSeconds:))
    }

    /// A column the schema declares NOT NULL: a row without it is damaged, reported as such instead of trapping.
    func requiredDate(_ column: String) throws -> Date {
        guard let date = date(column) else { throw StoreError.unavailable("\(column) is empty in a row that needs it") }
        return date
    }

    /// A value of a nullable column the query expects to be there: GRDB's plain subscript traps on NULL.
    func required<Value: DatabaseValueConvertible>(_ type: Value.Type, _ column: String) throws -> Value {
        guard let value = self[column] as Value? else { throw StoreError.unavailable("\(column) is empty in a row that needs it") }
        return value
    }

    func uuid(_ column: String) throws -> UUID {
        let text: String = self[column]
        guard let id = UUID(uuidString: text) else { throw StoreError.unavailable("\(column) holds \(text), not a UUID") }
        return id
    }

    func value<Value: RawRepresentable>(_ type: Value.Type, _ column: String) throws -> Value where Value.RawValue == String {
        let text: String = self[column]
        guard let value = Value(rawValue: text) else { throw StoreError.unavailable("\(column) holds \(text), not a \(Value.self)") }
        return value
    }
}
