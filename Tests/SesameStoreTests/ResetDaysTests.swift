import Foundation
import Testing

@testable import SesameStore

/// How a chart's range splits into whole days and part-days (docs/scale.md#the-resets-chart), and how PostgreSQL's
/// migrations split into statements.
@Suite struct ResetDaysTests {
    let day = 86_400.0

    @Test func aRangeIsItsWholeDaysAndThePartDaysAtItsEnds() {
        let days = ResetDays(since: Date(timeIntervalSince1970: 10 * day + 5), until: Date(timeIntervalSince1970: 13 * day - 1))
        #expect(days.firstDay == 11 && days.endDay == 12)
        #expect(days.head == 10 * day + 5..<11 * day)
        #expect(days.tail == 12 * day..<13 * day - 1)
        let exact = ResetDays(since: Date(timeIntervalSince1970: 10 * day), until: Date(timeIntervalSince1970: 12 * day))
        #expect(exact.firstDay == 10 && exact.endDay == 12 && exact.head.isEmpty && exact.tail.isEmpty)
    }

    @Test func withoutAWholeDayEveryRowIsCountedFromTheRows() {
        let within = ResetDays(since: Date(timeIntervalSince1970: 10 * day + 5), until: Date(timeIntervalSince1970: 11 * day - 5))
        #expect(within.firstDay == within.endDay && within.head == 10 * day + 5..<11 * day - 5 && within.tail.isEmpty)
        let backwards = ResetDays(since: Date(timeIntervalSince1970: 11 * day), until: Date(timeIntervalSince1970: 10 * day))
        #expect(backwards.firstDay == backwards.endDay && backwards.head.isEmpty && backwards.tail.isEmpty)
        // Before 1970 SQLite keeps no counts.
        let old = ResetDays(since: Date(timeIntervalSince1970: -3 * day), until: Date(timeIntervalSince1970: 3 * day))
        #expect(old.firstDay == old.endDay && old.head == -3 * day..<3 * day)
        // Times that are not a number, or infinite, make a range that exists.
        let nan = ResetDays(since: Date(timeIntervalSince1970: .nan), until: Date(timeIntervalSince1970: .nan))
        #expect(nan.head.isEmpty && nan.tail.isEmpty && nan.firstDay == nan.endDay)
        let endless = ResetDays(since: Date(timeIntervalSince1970: 0), until: Date(timeIntervalSince1970: .infinity))
        #expect(endless.firstDay == endless.endDay && endless.head == 0..<Double.infinity)
    }

    @Test func aMigrationSplitsAtSemicolonsOutsideFunctionBodies() {
        let sql = """
            CREATE TABLE a (x INT);
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO a VALUES (1);
                RETURN NULL;
            END
            $$;
            CREATE TRIGGER t AFTER INSERT ON a FOR EACH STATEMENT EXECUTE FUNCTION f();
            """
        let statements = PostgresSchema.statements(of: sql)
        #expect(statements.count == 3)
        #expect(statements[1].hasPrefix("CREATE FUNCTION") && statements[1].hasSuffix("$$") && statements[1].contains("RETURN NULL;"))
        #expect(statements[2].hasPrefix("CREATE TRIGGER"))
        // Every migration splits into statements none of which is empty or leaves a body open.
        for migration in PostgresSchema.migrations {
            for statement in PostgresSchema.statements(of: migration.sql) {
                #expect(!statement.isEmpty && statement.components(separatedBy: "$$").count % 2 == 1, "\(migration.name)")
            }
        }
    }
}
