import Foundation

/// Which rows of a report or the audit log to read, newest first: a date range, filters the store applies, and a
/// page that starts after a cursor (docs/scale.md#reports).
public struct ActivityQuery: Sendable, Hashable {
    public var since: Date?
    public var until: Date?
    /// Exactly this user (case ignored).
    public var userID: String?
    public var filters: [ActivityFilter]
    /// The page starts after this row; it wins over `offset`, which stays for the API's older clients.
    public var after: ActivityCursor?
    public var limit: Int
    public var offset: Int

    public init(
        since: Date? = nil, until: Date? = nil, userID: String? = nil, filters: [ActivityFilter] = [], after: ActivityCursor? = nil,
        limit: Int = 1_000, offset: Int = 0
    ) {
        self.since = since
        self.until = until
        self.userID = userID
        self.filters = filters
        self.after = after
        self.limit = limit
        self.offset = offset
    }
}

/// One column's filter, as the store applies it.
public struct ActivityFilter: Sendable, Hashable {
    public enum Field: String, Sendable, Hashable, CaseIterable {
        /// The row's time as the reports write it (`2026-12-04T05:19:42Z`).
        case time
        case userID, role
        /// A reset's methods: a list of ``VerificationOption`` codes.
        case methods
        /// A reset's ``ResetDetail`` code.
        case resetDetail
        /// A registration's ``AuthenticationMethod``.
        case dataRegistered
        case activity, actor, target, status
        /// An audit event's free text.
        case auditDetail
        case failureReason, requestID
    }

    public enum Match: Sendable, Hashable {
        /// The stored text contains this, case ignored (lowercased here).
        case contains(String)
        /// The stored code is one of these; an empty list matches nothing.
        case oneOf([String])
    }

    public let field: Field
    public let match: Match

    public init(_ field: Field, _ match: Match) {
        self.field = field
        switch match {
        case .contains(let text) where text.contains("\u{0}"):
            // No stored text holds a NUL (PostgreSQL refuses one even as a query's value): nothing matches.
            self.match = .oneOf([])
        case .contains(let text):
            self.match = .contains(text.lowercased())
        case .oneOf:
            self.match = match
        }
    }
}

/// Where a page of rows ended: the last row's time and id. The next page holds the rows after it in the log's
/// order (newest first, and rows of one instant in reverse order of writing).
public struct ActivityCursor: Sendable, Hashable {
    public let at: Date
    public let id: UUID

    public init(at: Date, id: UUID) {
        self.at = at
        self.id = id
    }

    /// As a URL's query value: `seconds~id`.
    public var text: String { "\(at.timeIntervalSince1970)~\(id.uuidString)" }

    /// `nil` for anything ``text`` did not write.
    public init?(text: String) {
        let parts = text.split(separator: "~")
        guard parts.count == 2, let secondsText = parts.first, let idText = parts.last, secondsText.utf8.count <= 32,
              let seconds = Double(secondsText), seconds.isFinite, let id = UUID(uuidString: String(idText))
        else { return nil }
        self.init(at: Date(timeIntervalSince1970: seconds), id: id)
    }
}

/// Resets of one day (midnight UTC) that ended with one detail: the chart's numbers, counted in the database.
public struct ResetDayCount: Sendable, Hashable {
    public let day: Date
    public let detail: String
    public let count: Int

    public init(day: Date, detail: String, count: Int) {
        self.day = day
        self.detail = detail
        self.count = count
    }
}

extension ActivityFilter {
    /// `text` for the inside of a SQL LIKE pattern with `\` as its escape: its own `%`, `_` and `\` match themselves.
    public static func escapedForLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
