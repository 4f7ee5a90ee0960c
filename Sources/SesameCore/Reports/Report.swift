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

    /// The rows whose text, column by column, contains each filter's text (case and accents ignored): the admin
    /// portal's filter on every column, so that its CSV export is exactly what it shows.
    public func filtered(_ filters: [String: String]) -> Report {
        let active = columns.indices.compactMap { index -> (Int, String)? in
            guard let needle = filters[columns[index].id]?.trimmingCharacters(in: .whitespaces), !needle.isEmpty else { return nil }
            return (index, needle)
        }
        guard !active.isEmpty else { return self }
        let kept = rows.filter { row in
            active.allSatisfy { index, needle in row[index].range(of: needle, options: [.caseInsensitive, .diacriticInsensitive]) != nil }
        }
        return Report(columns: columns, rows: kept)
    }

    public func csv(in language: Language) -> String {
        CSV.line(columns.map { $0.title.rendered(in: language) }) + rows.map(CSV.line).joined()
    }

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

/// Builds the two activity reports and the audit log from the store (docs/behaviour.md#reports-and-audit).
public struct ReportService: Sendable {
    private let store: any ActivityStore

    public init(store: any ActivityStore) {
        self.store = store
    }

    /// "Password reset registration activity": User, Role, Date and Time, Data Registered (one row per item).
    public func registrations(_ query: ActivityQuery, language: Language) async throws -> Report {
        let rows = try await store.registrationActivities(query).map { activity in
            [activity.userID, activity.role, Self.timestamp(activity.at),
             LocalizedText("report.method.\(activity.dataRegistered.rawValue)").rendered(in: language)]
        }
        return Report(columns: Self.columns(["user", "role", "dateTime", "dataRegistered"]), rows: rows)
    }

    /// One of the reports, read from the store.
    public func report(_ kind: ReportKind, _ query: ActivityQuery, language: Language) async throws -> Report {
        switch kind {
        case .registrations: try await registrations(query, language: language)
        case .resets: resets(try await store.resetActivities(query), language: language)
        case .audit: try await audit(query, language: language)
        }
    }

    /// "Password reset activity": User, Role, Date and Time, Method(s) Used, Result, Details, from activities already
    /// read (the admin portal draws its chart from the same rows).
    public func resets(_ activities: [ResetActivity], language: Language) -> Report {
        let rows = activities.map { activity in
            [activity.userID, activity.role, Self.timestamp(activity.at),
             activity.methodsUsed.map { $0.label.rendered(in: language) }.joined(separator: ", "),
             LocalizedText("report.result.\(activity.result)").rendered(in: language),
             activity.detail.text.rendered(in: language)]
        }
        return Report(columns: Self.columns(["user", "role", "dateTime", "methodsUsed", "result", "details"]), rows: rows)
    }

    /// The audit log: every event, with Entra's activity names.
    public func audit(_ query: ActivityQuery, language: Language) async throws -> Report {
        let rows = try await store.auditEvents(query).map { event in
            [Self.timestamp(event.at), event.activity.rawValue, event.actor, event.target,
             LocalizedText("audit.status.\(event.status)").rendered(in: language), event.detail, event.failureReason ?? "",
             event.requestID ?? ""]
        }
        return Report(
            columns: Self.columns(["dateTime", "activity", "actor", "target", "status", "detail", "failureReason", "supportCode"]), rows: rows)
    }

    static func columns(_ ids: [String]) -> [Report.Column] {
        ids.map { Report.Column(id: $0, title: LocalizedText("report.column.\($0)")) }
    }

    /// ISO 8601 in UTC, which spreadsheets and scripts both read.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
