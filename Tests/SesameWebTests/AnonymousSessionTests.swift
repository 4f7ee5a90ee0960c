import Foundation
import HTTPTypes
import SesameCore
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
        let token = String(issued.split(separator: ".")[1])
        let chosen = String(repeating: "A", count: 43)
        let forgeries = [
            "a.\(chosen).\(issued.split(separator: ".")[2])",  // another token under the issued signature
            "a.\(token).\(String(repeating: "B", count: 43))",  // the issued token under a made-up signature
            "a.\(token)",  // no signature
            "a.\(token).\(issued.split(separator: ".")[2]).x",
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
}
