import Foundation

/// A report as rows of text under titled columns: what the admin portal shows, the CSV export writes and the JSON
/// API returns, from one place.
public struct Report: Sendable, Hashable {
    public struct Column: Sendable, Hashable {
        /// The JSON field name.
        public let id: String
        public let title: LocalizedText
    }

    public let columns: [Column]
    public let rows: [[String]]

    public func csv(in language: Language) -> String {
        csvHeader(in: language) + csvRows
    }

    public func csvHeader(in language: Language) -> String {
        CSV.line(columns.map { $0.title.rendered(in: language) })
    }

    public var csvRows: String { rows.map(CSV.line).joined() }

    /// The rows as objects keyed by column id.
    public var objects: [[String: String]] {
        rows.map { Dictionary(uniqueKeysWithValues: zip(columns.map(\.id), $0)) }
    }

    /// A JSON array of ``objects``.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(objects), as: UTF8.self)
    }
}

/// The reports Sesame builds: the two activity reports and the audit log (docs/behaviour.md#reports-and-audit).
public enum ReportKind: String, Sendable, Hashable, CaseIterable {
    case registrations, resets, audit
}

/// Builds the two activity reports and the audit log from the store (docs/behaviour.md#reports-and-audit), a page
/// at a time: the range, the column filters and the cursor are applied by the database (docs/scale.md#reports).
public struct ReportService: Sendable {
    private let store: any ActivityStore

    public init(store: any ActivityStore) {
        self.store = store
    }

    /// A page of a report and where the next one starts.
    public struct Page: Sendable, Hashable {
        public let report: Report
        public let next: ActivityCursor?
    }

    /// "Password reset registration activity": User, Role, Date and Time, Data Registered (one row per item).
    public func registrations(_ query: ActivityQuery, language: Language) async throws -> Report {
        try await page(.registrations, query, language: language).report
    }

    /// One of the reports, read from the store.
    public func report(_ kind: ReportKind, _ query: ActivityQuery, language: Language) async throws -> Report {
        try await page(kind, query, language: language).report
    }

    /// One page of a report: at most `query.limit` rows, and the cursor of the next page when there may be one.
    public func page(_ kind: ReportKind, _ query: ActivityQuery, language: Language) async throws -> Page {
        switch kind {
        case .registrations:
            let rows = try await store.registrationActivities(query)
            return Page(
                report: Report(columns: Self.columns(kind), rows: rows.map { Self.cells($0, language: language) }),
                next: Self.next(after: rows.last.map { ($0.at, $0.id) }, count: rows.count, query))
        case .resets:
            let rows = try await store.resetActivities(query)
            return Page(
                report: Report(columns: Self.columns(kind), rows: rows.map { Self.cells($0, language: language) }),
                next: Self.next(after: rows.last.map { ($0.at, $0.id) }, count: rows.count, query))
        case .audit:
            let rows = try await store.auditEvents(query)
            return Page(
                report: Report(columns: Self.columns(kind), rows: rows.map { Self.cells($0, language: language) }),
                next: Self.next(after: rows.last.map { ($0.at, $0.id) }, count: rows.count, query))
        }
    }

    /// Every row the query's range and filters hold, a page of `pageSize` at a time: an export of a million rows
    /// keeps one page in memory.
    public func forEachPage(
        _ kind: ReportKind, _ query: ActivityQuery, language: Language, pageSize: Int = 2_000,
        _ body: (Report) async throws -> Void
    ) async throws {
        var query = query
        query.limit = pageSize
        query.offset = 0
        while true {
            let page = try await page(kind, query, language: language)
            try await body(page.report)
            guard let next = page.next else { return }
            query.after = next
        }
    }

    /// Rows the report page counts before it says "more than" (docs/scale.md#reports): counting a year of resets
    /// filtered on a user's name took a second at a million users, counting to here takes milliseconds.
    public static let countLimit = 1_000

    /// How many rows the query's range and filters hold, up to ``countLimit``.
    public func count(_ kind: ReportKind, _ query: ActivityQuery) async throws -> ReportCount {
        let counted = try await store.activityCount(kind, query, upTo: Self.countLimit + 1)
        return counted > Self.countLimit ? .moreThan(Self.countLimit) : .exactly(counted)
    }

    private static func next(after last: (Date, UUID)?, count: Int, _ query: ActivityQuery) -> ActivityCursor? {
        guard let last, count >= query.limit else { return nil }
        return ActivityCursor(at: last.0, id: last.1)
    }

    /// The report's column ids, in order.
    public static func columnIDs(_ kind: ReportKind) -> [String] {
        switch kind {
        case .registrations: ["user", "role", "dateTime", "dataRegistered"]
        case .resets: ["user", "role", "dateTime", "methodsUsed", "result", "details"]
        case .audit: ["dateTime", "activity", "actor", "target", "status", "detail", "failureReason", "supportCode"]
        }
    }

    /// The column titles' CSV line, written once before the pages of a streamed export.
    public static func csvHeader(_ kind: ReportKind, in language: Language) -> String {
        Report(columns: columns(kind), rows: []).csvHeader(in: language)
    }

    static func columns(_ kind: ReportKind) -> [Report.Column] {
        columnIDs(kind).map { Report.Column(id: $0, title: LocalizedText("report.column.\($0)")) }
    }

    static func cells(_ activity: RegistrationActivity, language: Language) -> [String] {
        [activity.userID, activity.role, timestamp(activity.at),
         LocalizedText("report.method.\(activity.dataRegistered.rawValue)").rendered(in: language)]
    }

    static func cells(_ activity: ResetActivity, language: Language) -> [String] {
        [activity.userID, activity.role, timestamp(activity.at),
         activity.methodsUsed.map { $0.label.rendered(in: language) }.joined(separator: ", "),
         LocalizedText("report.result.\(activity.result)").rendered(in: language),
         activity.detail.text.rendered(in: language)]
    }

    static func cells(_ event: AuditEvent, language: Language) -> [String] {
        [timestamp(event.at), event.activity.rawValue, event.actor, event.target,
         LocalizedText("audit.status.\(event.status)").rendered(in: language), event.detail, event.failureReason ?? "",
         event.requestID ?? ""]
    }

    /// ISO 8601 in UTC, which spreadsheets and scripts both read.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

/// A report's count of rows, exact up to ``ReportService/countLimit``.
public enum ReportCount: Sendable, Hashable {
    case exactly(Int)
    case moreThan(Int)
}
