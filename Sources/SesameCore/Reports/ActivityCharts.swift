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

    /// Resets of each day from `since` to `until`, days without any included (at most 366 days are drawn).
    public static func resetsPerDay(_ activities: [ResetActivity], since: Date, until: Date) -> [Day] {
        var counts: [Date: [ResetResult: Int]] = [:]
        for activity in activities { counts[calendar.startOfDay(for: activity.at), default: [:]][activity.result, default: 0] += 1 }
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

    /// Reads every user, a page at a time.
    public static func coverage(
        of store: any UserStore, phones: PhoneRule, methods: [AuthenticationMethod] = AuthenticationMethod.allCases
    ) async throws -> Coverage {
        var users = 0
        var registered = 0
        var byMethod: [AuthenticationMethod: Int] = [:]
        let page = 500
        var offset = 0
        while true {
            let batch = try await store.users(search: nil, limit: page, offset: offset)
            for user in batch {
                users += 1
                if user.registration.isRegistered { registered += 1 }
                for method in user.authentication.usableMethods(among: Set(methods), questionsToReset: 1, phones: phones) {
                    byMethod[method, default: 0] += 1
                }
            }
            guard batch.count == page else { break }
            offset += page
        }
        return Coverage(users: users, registered: registered, byMethod: byMethod)
    }
}
