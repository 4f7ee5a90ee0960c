import Foundation
import HTTPTypes
import SesameCore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// Lists and reports page by cursor, search by word prefix, and export every row (docs/scale.md): what keeps the
/// admin portal and the API as fast with a million users as with ten.
@Suite struct AdminCursorTests {
    /// The href of the link whose text is `label`, unescaped.
    func link(_ label: String, in page: Page) -> String? {
        let pattern = try? Regex<(Substring, Substring)>("<a href=\"([^\"]*)\">" + label + "</a>")
        return pattern.flatMap { page.body.firstMatch(of: $0) }.map { String($0.1).replacingOccurrences(of: "&amp;", with: "&") }
    }

    @Test func usersComeAPageAtATimeAndSearchFindsAWordsStart() async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [.globalAdmin])
        var batch = UserBatch()
        batch.inserts = (0..<69).map { index in
            User(userID: String(format: "member%03d@contoso.com", index), displayName: index == 7 ? "Zoë Österberg" : "Member \(index)", createdAt: t0)
        }
        try await harness.store.apply(batch)
        try await harness.browse { browser in
            try await browser.signIn()
            let first = try await browser.get("/admin/users")
            #expect(first.body.matches(of: /href="\/admin\/users\/member/).count == 49)
            let next = try #require(link("Next page", in: first))
            #expect(next.hasPrefix("/admin/users?after="))
            let second = try await browser.get(next)
            #expect(second.body.matches(of: /href="\/admin\/users\/member/).count == 20)
            #expect(link("Next page", in: second) == nil && link("First page", in: second) == "/admin/users")
            // A word's start, accents and case ignored; a word inside a word is not a start.
            let found = try await browser.get("/admin/users?search=OSTER")
            #expect(found.contains("member007@contoso.com") && found.body.matches(of: /href="\/admin\/users\/member/).count == 1)
            #expect(try await browser.get("/admin/users?search=ember").body.matches(of: /href="\/admin\/users\/member/).isEmpty)
            // A cursor that cannot be read shows the first page.
            #expect(try await browser.get("/admin/users?after=%FF%00").body.matches(of: /href="\/admin\/users\/member/).count == 49)
        }
    }

    @Test func reportsPageByCursorAndExportEveryRow() async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [.globalAdmin])
        var batch = UserBatch()
        // 1,000 resets in one instant (their order of writing keeps them apart) and 30 earlier.
        batch.resets = (0..<1_000).map { ResetActivity(at: t0, userID: "user\($0)@contoso.com", role: "user", methodsUsed: [.email], detail: .succeeded) }
            + (0..<30).map { ResetActivity(at: t0.addingTimeInterval(-3_600), userID: "early\($0)@contoso.com", role: "user", methodsUsed: [.mobileSMS], detail: .blockedInvalidCodes(.mobileSMS)) }
        try await harness.store.apply(batch)
        try await harness.browse { browser in
            try await browser.signIn()
            var seen: [String] = []
            var uri: String? = "/admin/reports/resets"
            while let next = uri {
                let page = try await browser.get(next)
                #expect(page.contains("More than 1000 rows match."), "counted no further than ReportService.countLimit")
                seen += page.body.matches(of: /<td>((?:user|early)\d+@contoso.com)<\/td>/).map { String($0.1) }
                uri = link("Next page", in: page)
            }
            #expect(seen.count == 1_030 && Set(seen).count == 1_030)
            #expect(seen.first == "user999@contoso.com" && seen.last == "early0@contoso.com")
            // A filter on a translated column is applied by the database, in the reader's language.
            let blocked = try await browser.get("/admin/reports/resets?f.result=bloqu%C3%A9&lang=fr")
            #expect(blocked.contains("30 lignes correspondent."))
            let csv = try await browser.get("/admin/reports/resets?format=csv")
            let lines = csv.body.split(separator: "\r\n")
            #expect(lines.count == 1_031 && Set(lines.dropFirst()).count == 1_030)
        }
    }

    @Test func theAPIGivesTheNextPagesCursor() async throws {
        let harness = try await Harness()
        let token = try await TokenService(store: harness.store, clock: harness.clock, random: SystemRandomSource()).create(name: "hr-sync", actor: "cli")
        var batch = UserBatch()
        batch.inserts = (0..<5).map { User(userID: "api\($0)@contoso.com", createdAt: t0) }
        try await harness.store.apply(batch)
        try await harness.browse { browser in
            let headers: HTTPFields = [.authorization: "Bearer \(token)"]
            var ids: [String] = []
            var after = ""
            while true {
                let page = try await browser.send("/api/v1/users?limit=2" + after, method: .get, headers: headers, body: nil)
                let object = try #require(try JSONSerialization.jsonObject(with: Data(page.body.utf8)) as? [String: Any])
                ids += (object["users"] as? [[String: Any]] ?? []).compactMap { $0["userID"] as? String }
                guard let next = object["next"] as? String else { break }
                after = "&after=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            }
            #expect(ids == (0..<5).map { "api\($0)@contoso.com" })
            let bad = try await browser.send("/api/v1/users?after=nonsense", method: .get, headers: headers, body: nil)
            #expect(bad.status == .badRequest && bad.contains("invalid_paging"))
        }
    }
}
