import Foundation
import HTTPTypes
import SesameCore
import SesameTestSupport
import Synchronization
import Testing

@testable import SesameWeb

/// A visitor who only loads pages writes nothing to the store: the CSRF token rides in a signed cookie until a page
/// puts something in the session (docs/security.md#sessions). Before, every cookieless page wrote a session row, so
/// that anyone could fill the disk with plain GETs.
@Suite struct AnonymousSessionTests {
    /// How many sessions the store holds (it removes them all to count them).
    func storedSessions(_ harness: Harness) async throws -> Int {
        try await harness.store.deleteSessions(expiredBefore: .distantFuture)
    }

    @Test func pagesSeenWithoutACookieStoreNothing() async throws {
        let harness = try await Harness()
        for path in ["/reset", "/signin", "/reset?lang=fr", "/signin?lang=fr"] {
            for _ in 0..<5 {
                try await harness.browse { browser in
                    let page = try await browser.get(path)
                    #expect(page.status == .ok)
                    #expect(browser.cookie(SessionMiddleware.cookieName)?.hasPrefix("a.") == true)
                }
            }
        }
        #expect(try await storedSessions(harness) == 0)
    }

    @Test func theSignedTokenCarriesTheFirstFormIntoAStoredSession() async throws {
        let harness = try await Harness()
        try await harness.addUser(email: "alice@fabrikam.com")
        try await harness.browse { browser in
            let first = try await browser.get("/reset")
            let anonymous = try #require(browser.cookie(SessionMiddleware.cookieName))
            let token = try #require(first.csrf)
            #expect(anonymous.hasPrefix("a.\(token)."))
            // The same cookie again is not set again.
            let again = try await browser.get("/reset")
            #expect(again.headers[values: .setCookie].isEmpty)
            #expect(try await browser.startReset("alice@contoso.com").location == "/reset/verify")
            let stored = try #require(browser.cookie(SessionMiddleware.cookieName))
            #expect(!stored.contains("."))
            #expect(try await browser.get("/reset/verify").contains("alice@fabrikam.com") == false)
        }
        #expect(try await storedSessions(harness) == 1)
    }

    @Test func aForgedOrAlteredCookieCarriesNoToken() async throws {
        let harness = try await Harness()
        let cookie = Mutex<String?>(nil)
        try await harness.browse { browser in
            try await browser.get("/signin")
            cookie.withLock { $0 = browser.cookie(SessionMiddleware.cookieName) }
        }
        let issued = try #require(cookie.withLock { $0 })
        let parts = issued.split(separator: ".").map(String.init)
        try #require(parts.count == 4)
        let (token, time, signature) = (parts[1], parts[2], parts[3])
        let chosen = String(repeating: "A", count: 43)
        let forgeries = [
            "a.\(chosen).\(time).\(signature)",  // another token under the issued signature
            "a.\(token).\(String(repeating: "B", count: 43)).\(signature)",  // another time
            "a.\(token).\(time).\(String(repeating: "B", count: 43))",  // a made-up signature
            "a.\(token).\(time)",  // no signature
            "a.\(token).\(time).\(signature).x",
        ]
        for forged in forgeries {
            let sent = forged.hasPrefix("a.\(chosen)") ? chosen : token
            try await harness.browse { browser in
                let page = try await browser.send(
                    "/signin", method: .post,
                    headers: [.cookie: "\(SessionMiddleware.cookieName)=\(forged)", .contentType: "application/x-www-form-urlencoded"],
                    body: "userID=alice%40contoso.com&password=x&_csrf=\(sent)")
                #expect(page.status == .forbidden, "\(forged)")
            }
        }
        // The genuine cookie with its own token passes the CSRF check (and the sign-in then fails on the password).
        try await harness.browse { browser in
            let page = try await browser.send(
                "/signin", method: .post,
                headers: [.cookie: "\(SessionMiddleware.cookieName)=\(issued)", .contentType: "application/x-www-form-urlencoded"],
                body: "userID=alice%40contoso.com&password=x&_csrf=\(token)")
            #expect(page.status == .unauthorized)
        }
        #expect(try await storedSessions(harness) == 0)
    }

    /// The cookie is sent again once a quarter of an hour old, like a stored session saved again, and is worth nothing
    /// an hour after it was last sent.
    @Test func theCookieLastsAnHourAfterTheLastPage() async throws {
        let harness = try await Harness()
        try await harness.browse { browser in
            try await browser.get("/signin")
            let first = try #require(browser.cookie(SessionMiddleware.cookieName))
            harness.clock.advance(by: 16 * 60)
            #expect(try await browser.get("/signin").headers[values: .setCookie].count == 1)
            let renewed = try #require(browser.cookie(SessionMiddleware.cookieName))
            #expect(renewed != first && renewed.split(separator: ".")[1] == first.split(separator: ".")[1])
            harness.clock.advance(by: 50 * 60)
            // 66 minutes after the first cookie, 50 after the renewed one: the form still posts.
            try await browser.get("/signin")
            #expect(try await browser.post("/signin", [("userID", "nobody@contoso.com"), ("password", "x")]).status == .unauthorized)
        }
        try await harness.browse { browser in
            try await browser.get("/signin")
            let page = try await browser.get("/signin")
            let token = try #require(page.csrf)
            harness.clock.advance(by: 3_601)
            // An hour later the cookie is refused: the token it carried no longer passes.
            let late = try await browser.post("/signin", [("userID", "nobody@contoso.com"), ("password", "x")], csrf: token)
            #expect(late.status == .forbidden)
        }
        #expect(try await storedSessions(harness) == 0)
    }
}
