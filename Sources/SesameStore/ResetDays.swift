import Foundation

/// How a chart's range is read (docs/scale.md#the-resets-chart): its whole days from `reset_days`, the counts per
/// day and detail that the database's triggers keep as rows are written and pruned, and the part-days at either end,
/// if any, from the rows themselves. A year is then a few thousand counts instead of every reset of the year.
struct ResetDays: Sendable, Hashable {
    /// The whole days, as days since 1970, from `firstDay` up to but not including `endDay`; empty when equal.
    let firstDay: Int64
    let endDay: Int64
    /// The rows counted one by one: before the first whole day, and after the last.
    let head: Range<Double>
    let tail: Range<Double>

    static let seconds = 86_400.0

    /// A range that starts before 1970 is counted from the rows: SQLite's days hold no row from before 1970. A time
    /// that is not a number counts as 1970, rather than make a range that cannot exist.
    init(since: Date, until: Date) {
        let since = since.unixSeconds.isNaN ? 0 : since.unixSeconds
        let until = until.unixSeconds.isNaN ? since : max(since, until.unixSeconds)
        if since >= 0, let first = Int64(exactly: (since / Self.seconds).rounded(.up)), let end = Int64(exactly: (until / Self.seconds).rounded(.down)),
           first < end {
            (firstDay, endDay) = (first, end)
            head = since..<Double(first) * Self.seconds
            tail = Double(end) * Self.seconds..<until
        } else {
            (firstDay, endDay) = (0, 0)
            head = since..<until
            tail = until..<until
        }
    }
}
