import Foundation
import HTTPTypes
import SesameCore
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// The "Who are you?" CAPTCHA over HTTP: a solved token opens one reset only, whichever instance it is shown to, and
/// the sum asked with script off has a tighter limit per network than starts in general.
@Suite struct ResetCaptchaTests {
    static let failed = "We could not check that you are a person. Try again."
    static let tooMany = "Too many attempts"
    /// Sums one network may answer in 10 minutes (a quarter of the 20 starts: a sum is guessed once in 17).
    static let sumLimit = 5

    /// The form of "Who are you?": its token and the two numbers the no-script question shows.
    static func challenge(_ browser: Browser) async throws -> (token: String, sum: Int) {
        let page = try await browser.get("/reset")
        let token = try #require(page.body.firstMatch(of: /name="captcha" value="([^"]*)"/).map { String($0.output.1) })
        let numbers = try #require(page.body.firstMatch(of: /what is (\d+) plus (\d+)\?/))
        return (token, (Int(numbers.output.1) ?? 0) + (Int(numbers.output.2) ?? 0))
    }

    @Test func aSolvedTokenIsAcceptedOnce() async throws {
        let harness = try await Harness()
        try await harness.addUser(email: "alice@example.org", registered: true)
        try await harness.browse { browser in
            let (token, sum) = try await Self.challenge(browser)
            let solution = Captcha.solve(token, bits: Harness.captchaBits)
            let first = try await browser.post("/reset", [("userID", "alice@contoso.com"), ("captcha", token), ("solution", solution)])
            #expect(first.location == "/reset/verify")
            // The same solved token again, from a browser of its own (a script replaying one solution).
            let replayer = Browser(client: browser.client)
            try await replayer.get("/reset")
            let again = try await replayer.post("/reset", [("userID", "alice@contoso.com"), ("captcha", token), ("solution", solution)])
            #expect(again.status == .unprocessableContent && again.contains(Self.failed), "proof of work replayed")
            let bySum = try await replayer.post("/reset", [("userID", "alice@contoso.com"), ("captcha", token), ("answer", String(sum))])
            #expect(bySum.status == .unprocessableContent && bySum.contains(Self.failed), "the same token answered by its sum")

            // A token answered wrong once is spent too: one guess per token.
            let (fresh, freshSum) = try await Self.challenge(replayer)
            let wrong = try await replayer.post("/reset", [("userID", "alice@contoso.com"), ("captcha", fresh), ("answer", String(freshSum + 1))])
            #expect(wrong.contains(Self.failed))
            let right = try await replayer.post("/reset", [("userID", "alice@contoso.com"), ("captcha", fresh), ("answer", String(freshSum))])
            #expect(right.contains(Self.failed), "a second guess on the same token")
        }
    }

    @Test func theSumHasATighterLimitPerNetworkThanStarts() async throws {
        let harness = try await Harness()
        try await harness.addUser(email: "alice@example.org", registered: true)
        try await harness.browse { browser in
            var answered = 0
            var last = Page(status: .ok, headers: [:], body: "")
            while answered < 6 {
                let (token, sum) = try await Self.challenge(browser)
                last = try await browser.post("/reset", [("userID", "alice@contoso.com"), ("captcha", token), ("answer", String(sum))])
                answered += 1
                if answered <= Self.sumLimit { #expect(last.location == "/reset/verify", "sum \(answered)") }
            }
            #expect(last.status == .tooManyRequests && last.contains(Self.tooMany), "the sixth sum within 10 minutes")
            // Far below the limit on starts: the page's proof of work still opens a reset from the same network.
            let (token, _) = try await Self.challenge(browser)
            let work = try await browser.post("/reset", [("userID", "alice@contoso.com"), ("captcha", token), ("solution", Captcha.solve(token, bits: Harness.captchaBits))])
            #expect(work.location == "/reset/verify")
            harness.clock.advance(by: 10 * 60)
            let (later, laterSum) = try await Self.challenge(browser)
            #expect(try await browser.post("/reset", [("userID", "alice@contoso.com"), ("captcha", later), ("answer", String(laterSum))]).location == "/reset/verify")
        }
    }
}
