import Foundation

/// "This wasn't me" links, by the MAC of their token. Consuming one is atomic, whatever the number of instances.
public protocol ReportLinkStore: Sendable {
    func insertReportLink(_ link: ReportLink) async throws
    func reportLink(mac: [UInt8]) async throws -> ReportLink?
    /// Marks the link used if it is unused and unexpired at `now`, and returns it; `nil` otherwise (only one caller
    /// can ever get it).
    func consumeReportLink(mac: [UInt8], now: Date) async throws -> ReportLink?
    /// Deletes links that expired before `date`; returns how many.
    func deleteReportLinks(expiredBefore date: Date) async throws -> Int
}
