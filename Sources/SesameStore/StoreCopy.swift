import Crypto
import Foundation
import GRDB
import PostgresNIO
import SesameCore

/// Moves an installation from SQLite to PostgreSQL (`sesame store copy`): every table, row for row, in one
/// transaction on an empty target, then counts and a checksum per table read back from both sides.
public enum StoreCopy {
    /// A table and the columns that order its rows the same way on both sides.
    struct Table {
        let name: String
        let sqliteOrder: String
        let postgresOrder: String
        /// Columns PostgreSQL keeps as `BOOLEAN` where SQLite keeps 0 and 1.
        var booleans: Set<String> = []
    }

    /// Parents before children; the logs in the order they were written. `reset_days` is not copied: the target's
    /// triggers count the resets as they are copied.
    static let tables: [Table] = [
        Table(name: "users", sqliteOrder: "id", postgresOrder: "id", booleans: ["enabled", "password_change_required"]),
        Table(name: "user_roles", sqliteOrder: "user_id, role", postgresOrder: "user_id, role"),
        Table(name: "user_groups", sqliteOrder: "user_id, group_name", postgresOrder: "user_id, group_name"),
        Table(name: "security_answers", sqliteOrder: "user_id, position", postgresOrder: "user_id, position"),
        Table(name: "user_search", sqliteOrder: "term, user_id", postgresOrder: "term, user_id"),
        Table(name: "recovery_codes", sqliteOrder: "user_id, slot", postgresOrder: "user_id, slot"),
        Table(name: "passkeys", sqliteOrder: "id", postgresOrder: "id", booleans: ["backup_eligible", "backed_up"]),
        Table(name: "policy", sqliteOrder: "id", postgresOrder: "id"),
        Table(name: "code_challenges", sqliteOrder: "id", postgresOrder: "id"),
        Table(name: "report_links", sqliteOrder: "mac", postgresOrder: "mac"),
        Table(name: "passkey_challenges", sqliteOrder: "mac", postgresOrder: "mac"),
        Table(name: "throttles", sqliteOrder: "kind, subject", postgresOrder: "kind, subject", booleans: ["last_refused"]),
        Table(name: "audit_events", sqliteOrder: "rowid", postgresOrder: "seq"),
        Table(name: "reset_activities", sqliteOrder: "rowid", postgresOrder: "seq"),
        Table(name: "registration_activities", sqliteOrder: "rowid", postgresOrder: "seq"),
        Table(name: "api_tokens", sqliteOrder: "id", postgresOrder: "id"),
        Table(name: "sessions", sqliteOrder: "key", postgresOrder: "key"),
        Table(name: "sign_in_lockouts", sqliteOrder: "subject", postgresOrder: "subject"),
        Table(name: "outbox", sqliteOrder: "id", postgresOrder: "id"),
        Table(name: "branding", sqliteOrder: "id", postgresOrder: "id"),
        Table(name: "access_passes", sqliteOrder: "user_id", postgresOrder: "user_id", booleans: ["single_use", "covers_roles"]),
    ]

    /// What was copied into one table, and whether both sides now agree.
    public struct TableReport: Sendable, Hashable, CustomStringConvertible {
        public let table: String
        public let sourceRows: Int
        public let targetRows: Int
        public let sourceChecksum: String
        public let targetChecksum: String

        public var matches: Bool { sourceRows == targetRows && sourceChecksum == targetChecksum }

        public var description: String {
            let verdict = matches ? "ok" : "MISMATCH (target \(targetRows) rows, checksum \(targetChecksum.prefix(16)))"
            return "\(table): \(sourceRows) rows, checksum \(sourceChecksum.prefix(16)) — \(verdict)"
        }
    }

    /// A canonical value: the same text for the same value on either side.
    enum Value: Sendable {
        case null, integer(Int64), real(Double), text(String), blob(Data)

        var canonical: String {
            switch self {
            case .null: "\u{2205}"
            case .integer(let value): String(value)
            case .real(let value): "\(value)"
            case .text(let value): "'" + value
            case .blob(let value): "x" + value.hex
            }
        }
    }

    /// Copies everything from `source` into the empty `target` and compares both sides.
    public static func copy(from source: SQLiteStore, to target: PostgresStore) async throws -> [TableReport] {
        guard try await target.userCount() == 0, try await target.policy() == nil else {
            throw StoreError.conflict("the target database already holds data; copy into an empty one")
        }
        var read: [(Table, [String], [[Value]])] = []
        for table in tables { read.append(try await rows(of: table, in: source)) }
        let batches = read
        try await target.transaction { connection in
            for (table, columns, rows) in batches {
                let placeholders = columns.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
                let sql = "INSERT INTO \(table.name) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))"
                for row in rows {
                    var binds = PostgresBindings()
                    for (column, value) in zip(columns, row) {
                        switch value {
                        case .null: binds.appendNull()
                        case .integer(let number) where table.booleans.contains(column): binds.append(number != 0)
                        case .integer(let number): binds.append(number)
                        case .real(let number): binds.append(number)
                        case .text(let text): binds.append(text)
                        case .blob(let data): try binds.append(data)
                        }
                    }
                    try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: target.logger)
                }
            }
        }
        var reports: [TableReport] = []
        for (table, columns, rows) in batches {
            let copied = try await self.rows(of: table, columns: columns, in: target)
            reports.append(TableReport(
                table: table.name, sourceRows: rows.count, targetRows: copied.count,
                sourceChecksum: checksum(rows), targetChecksum: checksum(copied)))
        }
        return reports
    }

    static func rows(of table: Table, in store: SQLiteStore) async throws -> (Table, [String], [[Value]]) {
        try await store.read { db in
            let columns = try db.columns(in: table.name).map(\.name)
            let rows = try Row.fetchAll(db, sql: "SELECT \(columns.joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.sqliteOrder)").map { row in
                columns.map { column -> Value in
                    switch row[column]?.databaseValue.storage ?? .null {
                    case .null: .null
                    case .int64(let value): .integer(value)
                    case .double(let value): .real(value)
                    case .string(let value): .text(value)
                    case .blob(let value): .blob(value)
                    }
                }
            }
            return (table, columns, rows)
        }
    }

    static func rows(of table: Table, columns: [String], in store: PostgresStore) async throws -> [[Value]] {
        try await store.rows(PostgresQuery(unsafeSQL: "SELECT \(columns.joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.postgresOrder)")).map { row in
            try columns.map { column -> Value in
                let cell = row.row[column]
                guard cell.bytes != nil else { return .null }
                switch cell.dataType {
                case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
                case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
                case .float8: return .real(try cell.decode(Double.self))
                case .bytea: return .blob(try cell.decode(Data.self))
                default: return .text(try cell.decode(String.self))
                }
            }
        }
    }

    static func checksum(_ rows: [[Value]]) -> String {
        var hash = SHA256()
        for row in rows {
            hash.update(data: Data((row.map(\.canonical).joined(separator: "\u{1F}") + "\u{1E}").utf8))
        }
        return hash.finalize().hex
    }
}
