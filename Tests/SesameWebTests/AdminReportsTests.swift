import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// The reports and the audit log in the admin portal, over a seeded month of activity.
@Suite struct AdminReportsTests {
    /// 60 days of resets (one per day and result, cycling), 10 registrations and a policy change.
    func seeded() async throws -> Harness {
        let harness = try await Harness()
        try await harness.addUser(roles: [.globalAdmin], email: "alice@example.org", registered: true)
        try await harness.addUser("bob@contoso.com", mobile: "+33 6 12 34 56 78")
        let results: [ResetDetail] = [.succeeded, .insufficientMethods, .blockedInvalidCodes(.mobileSMS), .cancelledBeforeMethods]
        for day in 0..<60 {
            let detail = results[day % results.count]
            try await harness.store.appendResetActivity(ResetActivity(
                at: t0.addingTimeInterval(-Double(day) * 86_400), userID: day.isMultiple(of: 2) ? "bob@contoso.com" : "carol@contoso.com",
                role: "user", methodsUsed: detail == .succeeded ? [.mobileSMS] : [], detail: detail))
        }
        for day in 0..<10 {
            try await harness.store.appendRegistrationActivity(RegistrationActivity(
                at: t0.addingTimeInterval(-Double(day) * 86_400), userID: "bob@contoso.com", role: "user", dataRegistered: .mobilePhone))
        }
        try await harness.setPolicy(.reconfirmDays, "30")
        return harness
    }

    func day(_ offset: Int) -> String { t0.addingTimeInterval(Double(offset) * 86_400).formatted(.iso8601.year().month().day()) }

    @Test func theLast30DaysByDefaultAndAnyRangeOnRequest() async throws {
        let harness = try await seeded()
        try await harness.browse { browser in
            try await browser.signIn()
            let month = try await browser.get("/admin/reports/resets")
            #expect(month.contains("30 rows match.") && month.contains("<svg class=\"chart\""))
            let all = try await browser.get("/admin/reports/resets?from=\(day(-400))&to=\(day(0))")
            #expect(all.contains("60 rows match."))
            let bad = try await browser.get("/admin/reports/resets?from=yesterday")
            #expect(bad.contains("Dates are written YYYY-MM-DD") && bad.contains("30 rows match."))
        }
    }

    @Test func everyColumnFiltersAndTheCSVIsWhatIsShown() async throws {
        let harness = try await seeded()
        try await harness.browse { browser in
            try await browser.signIn()
            let range = "from=\(day(-59))&to=\(day(0))"
            let failed = try await browser.get("/admin/reports/resets?\(range)&f.result=failed&f.user=carol")
            #expect(failed.contains("15 rows match."))
            let csv = try await browser.get("/admin/reports/resets?\(range)&f.result=failed&f.user=carol&format=csv")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = csv.body.split(separator: "\r\n")
            #expect(lines.first == "User,Role,Date and Time,Method(s) Used,Result,Details")
            #expect(lines.count == 16 && lines.dropFirst().allSatisfy { $0.hasPrefix("carol@contoso.com,") && $0.contains(",Failed,") })
            let methods = try await browser.get("/admin/reports/resets?\(range)&f.methodsUsed=sms")
            #expect(methods.contains("15 rows match."))
            // In French, the filter reads the French texts, and so does the export.
            let french = try await browser.get("/admin/reports/resets?\(range)&f.result=%C3%A9chec&f.user=carol&format=csv&lang=fr")
            let frenchLines = french.body.split(separator: "\r\n")
            #expect(frenchLines.first?.hasPrefix("Utilisateur,Rôle,") == true && frenchLines.count == 16)
        }
    }

    @Test func registrationsShowCoverageAndTheAuditLogEveryEvent() async throws {
        let harness = try await seeded()
        try await harness.browse { browser in
            try await browser.signIn()
            let registrations = try await browser.get("/admin/reports/registrations")
            #expect(registrations.contains("10 rows match."))
            #expect(registrations.body.matches(of: /<svg class="chart"/).count == 2)
            // alice is registered, bob is not: one of two; both can be verified by one method each.
            #expect(registrations.contains("1 (50 %)"))
            let audit = try await browser.get("/admin/audit?f.activity=policy")
            #expect(audit.contains("1 row matches.") && audit.contains("Self-service password reset policy changes"))
            #expect(audit.contains("reconfirmDays"))
        }
    }

    @Test func onlyAdministratorsReadReports() async throws {
        let harness = try await seeded()
        try await harness.addUser("user@contoso.com")
        try await harness.browse { browser in
            try await browser.signIn("user@contoso.com")
            #expect(try await browser.get("/admin/reports/resets").status == .forbidden)
            #expect(try await browser.get("/admin/audit?format=csv").status == .forbidden)
        }
    }
}
