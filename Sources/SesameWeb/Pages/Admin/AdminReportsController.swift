import Foundation
import Hummingbird
import SesameCore

/// `/admin/reports/resets`, `/admin/reports/registrations` and `/admin/audit`: the two activity reports and the audit
/// log (docs/behaviour.md#reports-and-audit), for any date range, with a filter on every column, a CSV export of
/// exactly the rows shown, and charts.
struct AdminReportsController {
    let layout: PageLayout
    let access: AdminAccess
    let reports: ReportService
    /// The counts behind the charts.
    let store: any Store
    let policies: PolicyCache
    let clock: any WallClock

    static let pageSize = 200

    var endpoints: RouteCollection<WebContext> {
        RouteCollection(context: WebContext.self)
            .get("admin/reports/resets") { request, context in try await show(.resets, request, context) }
            .get("admin/reports/registrations") { request, context in try await show(.registrations, request, context) }
            .get("admin/audit") { request, context in try await show(.audit, request, context) }
    }

    /// The range, the filters and the page are applied by the database, and the export is streamed a page at a
    /// time, so that a year of a million users' activity answers as fast as a day's (docs/scale.md#reports).
    private func show(_ kind: ReportKind, _ request: Request, _ context: WebContext) async throws -> Response {
        try await access.administrator(context) { _ in
            let parameters = request.query
            // Dates that cannot be read are said so, and the last 30 days shown instead.
            let asked = DateRange(from: parameters["from"], to: parameters["to"], now: clock.now)
            let range = asked ?? DateRange(endingToday: clock.now)
            let language = context.language
            var filters: [String: String] = [:]
            for id in ReportService.columnIDs(kind) { filters[id] = parameters["f.\(id)"] }
            var query = ActivityQuery(
                since: range.since, until: range.until, filters: ReportService.filters(kind, filters, language: language),
                limit: Self.pageSize)
            let base = queryString(range: range, filters: filters)
            if parameters["format"] == "csv" {
                return Response(
                    status: .ok,
                    headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"sesame-\(kind.rawValue)-\(range.fromText)-\(range.toText).csv\""],
                    body: ResponseBody { [reports, query] writer in
                        try await writer.write(ByteBuffer(string: ReportService.csvHeader(kind, in: language)))
                        try await reports.forEachPage(kind, query, language: language) { page in
                            try await writer.write(ByteBuffer(string: page.csvRows))
                        }
                        try await writer.finish(nil)
                    })
            }
            // A cursor that cannot be read starts again at the newest rows.
            query.after = parameters["after"].flatMap(ActivityCursor.init(text:))
            let page = try await reports.page(kind, query, language: language)
            let countText = switch try await reports.count(kind, query) {
            case .exactly(let rows): layout.text("admin.report.count", ["count": String(rows)], context)
            case .moreThan(let rows): layout.text("admin.report.countOver", ["count": String(rows)], context)
            }
            var values: [String: Any] = [
                "admin": true, "heading": layout.text("admin.\(kind.rawValue).title", context), "action": kind.path,
                "badDates": asked == nil,
                "from": range.fromText, "to": range.toText,
                "columns": page.report.columns.map { ["id": $0.id, "title": layout.text($0.title, context), "filter": filters[$0.id] ?? ""] },
                "rows": page.report.rows.map { ["cells": $0] }, "empty": page.report.rows.isEmpty,
                "count": countText,
                "csv": "\(kind.path)?\(base)&format=csv",
                "first": query.after != nil ? "\(kind.path)?\(base)" : false,
                "next": page.next.map { "\(kind.path)?\(base)&after=\($0.text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" } ?? false,
            ]
            values["charts"] = try await charts(kind, range: range, context: context)
            return try await layout.render("admin-report", titleKey: "admin.\(kind.rawValue).title", values: values, context: context)
        }
    }

    /// Each chart's caption and drawing, from counts the database makes.
    private func charts(_ kind: ReportKind, range: DateRange, context: WebContext) async throws -> [[String: String]] {
        switch kind {
        case .resets:
            let title = layout.text("admin.chart.resetsPerDay", context)
            let counts = try await store.resetCountsPerDay(since: range.since, until: range.until)
            let days = ActivityCharts.resetsPerDay(counts, since: range.since, until: range.until)
            return [["title": title, "svg": Charts.resetsPerDay(days, title: title) { layout.text(LocalizedText("report.result.\($0)"), context) }]]
        case .registrations:
            let coverage = try await ActivityCharts.coverage(of: store, phones: try await policies.policy().phones)
            let methods = AuthenticationMethod.allCases.map { (layout.text("admin.method.\($0.rawValue)", context), coverage.byMethod[$0] ?? 0) }
            let shareTitle = layout.text("admin.chart.shareRegistered", context)
            let coverageTitle = layout.text("admin.chart.coverage", context)
            return [
                ["title": shareTitle, "svg": Charts.shares([(layout.text("admin.chart.registered", context), coverage.registered)], total: coverage.users, title: shareTitle)],
                ["title": coverageTitle, "svg": Charts.shares(methods, total: coverage.users, title: coverageTitle)],
            ]
        case .audit:
            return []
        }
    }

    private func queryString(range: DateRange, filters: [String: String]) -> String {
        var items = [URLQueryItem(name: "from", value: range.fromText), URLQueryItem(name: "to", value: range.toText)]
        for (id, value) in filters.sorted(by: { $0.key < $1.key }) where !value.isEmpty { items.append(URLQueryItem(name: "f.\(id)", value: value)) }
        var components = URLComponents()
        components.queryItems = items
        return components.percentEncodedQuery ?? ""
    }
}

/// A report's dates: any range (no 30-day cap), the last 30 days by default, whole days in UTC.
struct DateRange {
    let since: Date
    let until: Date

    private static let day: TimeInterval = 86_400

    /// `nil` when a date is not `YYYY-MM-DD` or the range ends before it starts.
    init?(from: String?, to: String?, now: Date) {
        guard let end = Self.parse(to, default: Self.today(now)), let start = Self.parse(from, default: end.addingTimeInterval(-29 * Self.day)),
              start <= end
        else { return nil }
        self.init(since: start, lastDay: end)
    }

    /// The last 30 days, today included.
    init(endingToday now: Date) {
        let today = Self.today(now)
        self.init(since: today.addingTimeInterval(-29 * Self.day), lastDay: today)
    }

    private init(since: Date, lastDay: Date) {
        self.since = since
        until = lastDay.addingTimeInterval(Self.day - 0.001)
    }

    private static func today(_ now: Date) -> Date {
        Date(timeIntervalSince1970: (now.timeIntervalSince1970 / day).rounded(.down) * day)
    }

    var fromText: String { Self.text(since) }
    var toText: String { Self.text(until) }

    private static func parse(_ text: String?, default fallback: Date) -> Date? {
        guard let text, !text.isEmpty else { return fallback }
        return try? Date(text + "T00:00:00Z", strategy: .iso8601)
    }

    private static func text(_ date: Date) -> String { date.formatted(.iso8601.year().month().day()) }
}

extension ReportKind {
    /// Where the admin portal shows it.
    var path: String { self == .audit ? "/admin/audit" : "/admin/reports/\(rawValue)" }
}
