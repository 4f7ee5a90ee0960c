import Foundation
import GRDB
import SesameCore

// MARK: ReportLinkStore

extension SQLiteStore {
    public func insertReportLink(_ link: ReportLink) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO report_links (mac, user_id, event, issued_at, expires_at, consumed_at, subject) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    Data(link.mac), link.userID.text, link.event.rawValue, link.issuedAt.unixSeconds, link.expiresAt.unixSeconds,
                    link.consumedAt?.unixSeconds, link.subject,
                ])
        }
    }

    public func reportLink(mac: [UInt8]) async throws -> ReportLink? {
        try lookUp { db in
            try Row.fetchOne(db, sql: "SELECT * FROM report_links WHERE mac = ?", arguments: [Data(mac)]).map(Self.reportLink)
        }
    }

    /// One statement spends the link: of two requests on any instance, only one gets the row back.
    public func consumeReportLink(mac: [UInt8], now: Date) async throws -> ReportLink? {
        try await write { db in
            try Row.fetchOne(db, sql: """
                UPDATE report_links SET consumed_at = ? WHERE mac = ? AND consumed_at IS NULL AND expires_at > ? RETURNING *
                """, arguments: [now.unixSeconds, Data(mac), now.unixSeconds]).map(Self.reportLink)
        }
    }

    public func deleteReportLinks(expiredBefore date: Date) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM report_links WHERE expires_at < ?", arguments: [date.unixSeconds])
            return db.changesCount
        }
    }

    static func reportLink(from row: Row) throws -> ReportLink {
        let mac: Data = row["mac"]
        return ReportLink(
            mac: Array(mac), userID: try row.uuid("user_id"), event: try row.value(ReportedEvent.self, "event"),
            issuedAt: try row.requiredDate("issued_at"), expiresAt: try row.requiredDate("expires_at"), consumedAt: row.date("consumed_at"),
            subject: row["subject"])
    }
}
