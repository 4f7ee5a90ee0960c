import Foundation

/// The numbers behind the admin portal's charts: resets per day by result, and how many users can be verified by
/// each method and are registered.
public struct ActivityCharts: Sendable {
    public struct Day: Sendable, Hashable {
        /// Midnight UTC.
        public let day: Date
        public let counts: [ResetResult: Int]

        public var total: Int { counts.values.reduce(0, +) }
    }

    public struct Coverage: Sendable, Hashable {
        public let users: Int
        public let registered: Int
        /// Users whose registered or pre-populated data can serve each method (a phone only if the phone rule allows it).
        public let byMethod: [AuthenticationMethod: Int]
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()

    /// Resets of each day from `since` to `until`, days without any included (at most 366 days are drawn), from the
    /// database's counts per day and detail.
    public static func resetsPerDay(_ counted: [ResetDayCount], since: Date, until: Date) -> [Day] {
        var counts: [Date: [ResetResult: Int]] = [:]
        for row in counted {
            guard let detail = ResetDetail(code: row.detail) else { continue }
            counts[calendar.startOfDay(for: row.day), default: [:]][detail.result, default: 0] += row.count
        }
        var days: [Day] = []
        var day = calendar.startOfDay(for: since)
        let last = calendar.startOfDay(for: until)
        while day <= last, days.count < 366 {
            days.append(Day(day: day, counts: counts[day] ?? [:]))
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return days
    }

    /// Counted in the database (``UserStore/coverageCounts()``), then weighed here once per kind of user, under
    /// today's phone rule (docs/scale.md#reports).
    public static func coverage(
        of store: any UserStore, phones: PhoneRule, methods: [AuthenticationMethod] = AuthenticationMethod.allCases
    ) async throws -> Coverage {
        coverage(try await store.coverageCounts(), phones: phones, methods: methods)
    }

    public static func coverage(_ counts: CoverageCounts, phones: PhoneRule, methods: [AuthenticationMethod]) -> Coverage {
        var users = 0
        var registered = 0
        var byMethod: [AuthenticationMethod: Int] = [:]
        for (key, count) in counts.usersByProfile {
            users += count
            // A key this version did not write counts the user and nothing else.
            guard let profile = CoverageProfile(key: key) else { continue }
            if profile.registered { registered += count }
            for method in methods {
                let usable = switch method {
                case .mobilePhone: CoverageProfile.permits(profile.resetPhone, phones)
                case .officePhone: CoverageProfile.permits(profile.officePhone, phones)
                case .email: profile.email
                case .securityQuestions: profile.answers >= 1
                case .authenticatorApp: profile.authenticator
                case .recoveryCodes, .passkey: false
                }
                if usable { byMethod[method, default: 0] += count }
            }
        }
        if methods.contains(.recoveryCodes) { byMethod[.recoveryCodes] = counts.withRecoveryCodes }
        if methods.contains(.passkey) { byMethod[.passkey] = counts.withPasskeys }
        return Coverage(users: users, registered: registered, byMethod: byMethod.filter { $0.value > 0 })
    }
}
