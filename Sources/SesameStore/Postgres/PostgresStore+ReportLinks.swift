import Foundation
import PostgresNIO
import SesameCore

// MARK: ReportLinkStore

extension PostgresStore {
    public func insertReportLink(_ link: ReportLink) async throws {
        _ = try await rows("""
            INSERT INTO report_links (mac, user_id, event, issued_at, expires_at, consumed_at, subject)
            VALUES (\(Data(link.mac)), \(link.userID.text), \(link.event.rawValue), \(link.issuedAt.unixSeconds),
                    \(link.expiresAt.unixSeconds), \(link.consumedAt?.unixSeconds), \(link.subject))
            """)
    }

    public func reportLink(mac: [UInt8]) async throws -> ReportLink? {
        try await rows("SELECT * FROM report_links WHERE mac = \(Data(mac))").first.map(Self.reportLink)
    }

    /// One statement spends the link: of two requests on any instance, only one gets the row back.
    public func consumeReportLink(mac: [UInt8], now: Date) async throws -> ReportLink? {
        try await rows("""
            UPDATE report_links SET consumed_at = \(now.unixSeconds)
            WHERE mac = \(Data(mac)) AND consumed_at IS NULL AND expires_at > \(now.unixSeconds)
            RETURNING *
            """).first.map(Self.reportLink)
    }

    public func deleteReportLinks(expiredBefore date: Date) async throws -> Int {
        try await rows("DELETE FROM report_links WHERE expires_at < \(date.unixSeconds) RETURNING mac").count
    }

    static func reportLink(from row: Columns) throws -> ReportLink {
        ReportLink(
            mac: Array(try row.get("mac", as: Data.self)), userID: try row.uuid("user_id"), event: try row.value(ReportedEvent.self, "event"),
            issuedAt: try row.requiredDate("issued_at"), expiresAt: try row.requiredDate("expires_at"), consumedAt: try row.date("consumed_at"),
            subject: try row.get("subject", as: String?.self))
    }
}
