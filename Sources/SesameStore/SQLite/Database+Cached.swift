import GRDB

// Statements prepared once per connection and kept in GRDB's statement cache, for the fixed SQL that pages run on
// every request: sessions, throttles, codes and the delivery queue. Preparing a statement runs SQLite's parser and
// GRDB's authorizer each time; in scripts/bench-http's profile that was about 5 % of a registration
// (README.md#over-http-beside-privacyidea). Only for fixed text: each distinct SQL stays cached for the connection's
// life, so SQL built from values (an `IN` list of any length) is prepared afresh; a list of one, as when a page reads
// its signed-in user, is fixed text too.

extension Database {
    func execute(cached sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}

extension Row {
    static func fetchOne(_ db: Database, cached sql: String, arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }

    static func fetchAll(_ db: Database, cached sql: String, arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

extension DatabaseValueConvertible where Self: StatementColumnConvertible {
    static func fetchOne(_ db: Database, cached sql: String, arguments: StatementArguments = StatementArguments()) throws -> Self? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}
