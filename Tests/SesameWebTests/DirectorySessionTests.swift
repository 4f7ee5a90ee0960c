import Foundation
import HTTPTypes
import HummingbirdTesting
import SesameCore
import SesameDirectory
import SesameTestSupport
import Testing

@testable import SesameWeb

extension DirectoryWritebackTests {
    /// A directory user's session against what happens in the real directories meanwhile
    /// (docs/security.md#sessions-and-the-directory). Nested, so that these run one at a time with the other tests
    /// of frank and grace.
    @Suite struct Sessions {
        let run = String(Int.random(in: 1000...9999))

        /// Signs `userID` in and checks that the account page opens.
        func signIn(_ userID: String, password: String, browser: Browser) async throws {
            #expect(try await browser.signIn(userID, password: password) != "/signin")
            #expect(try await browser.get("/account").status == .ok)
        }

        @Test(arguments: TestDirectory.all) func aPasswordChangedInTheDirectoryEndsTheSession(_ target: TestDirectory) async throws {
            let directory = try target.directory()
            let harness = try await DirectoryWritebackTests().harness(target, directory: directory)
            let frank = target.user("frank")
            let first = "Pq3#Vm8!Tz-\(run)"
            try await directory.resetPassword(userID: frank, new: first, mustChange: false)
            try await harness.browse { browser in
                try await signIn(frank, password: first, browser: browser)
                // Confirmed after the interval while nothing changed: the session goes on.
                harness.clock.advance(by: 300)
                #expect(try await browser.get("/account").status == .ok)
                // The session's own change of password is no reason to end it.
                try await Task.sleep(for: .milliseconds(1_100))
                try await browser.get("/account/password")
                let second = "Lc5#Yf9!Dq-\(run)"
                #expect(try await browser.post("/account/password", [("current", first), ("new", second), ("confirm", second)]).status == .ok)
                harness.clock.advance(by: 300)
                #expect(try await browser.get("/account").status == .ok, "the session watches its own new password")
                // OpenLDAP's pwdChangedTime counts whole seconds.
                try await Task.sleep(for: .milliseconds(1_100))
                try await directory.resetPassword(userID: frank, new: "Hn6#Wc2!Rb-\(run)", mustChange: false)
                #expect(try await browser.get("/account").status == .ok, "the directory is asked once per interval at most")
                harness.clock.advance(by: 300)
                #expect(try await browser.get("/account").location == "/signin?ended=changed")
                #expect(try await browser.get("/signin?ended=changed&lang=fr").contains("votre mot de passe ou votre compte a changé dans l’annuaire"))
                #expect(try await browser.get("/account").location == "/signin", "signed out")
            }
            let ended = try #require(try await harness.store.auditEvents(ActivityQuery()).first { $0.activity == .sessionEnded })
            #expect(ended.target == frank && ended.detail == "the password was changed in the directory")
        }

        /// A session signed in before sessions were watched has no watch: before, it was never checked and lived on
        /// after a password change in the directory, renewed as long as it was used.
        @Test func aDirectoryUsersSessionWithoutAWatchEnds() async throws {
            let target = TestDirectory.all[0]
            let directory = try target.directory()
            let harness = try await DirectoryWritebackTests().harness(target, directory: directory)
            let frank = target.user("frank")
            let password = "Wb8#Nq3!Zk-\(run)"
            try await directory.resetPassword(userID: frank, new: password, mustChange: false)
            try await harness.browse { browser in
                try await signIn(frank, password: password, browser: browser)
                let key = SessionMiddleware.digest(try #require(browser.cookie(SessionMiddleware.cookieName)))
                let stored = try #require(try await harness.store.session(key: key, now: harness.clock.now))
                var fields = try #require(try JSONSerialization.jsonObject(with: stored.data) as? [String: Any])
                #expect(fields.removeValue(forKey: "directory") != nil, "a signed-in directory user's session has a watch")
                let user = try #require(try await harness.store.user(userID: frank))
                _ = try await harness.store.updateSession(
                    key: key, data: try JSONSerialization.data(withJSONObject: fields), userID: user.id,
                    expiresAt: harness.clock.now.addingTimeInterval(3_600), version: stored.version)
                #expect(try await browser.get("/account").location == "/signin?ended=unconfirmed")
                #expect(try await browser.get("/account").location == "/signin", "signed out")
            }
        }

        /// The page reuses the user the due check read (docs/architecture.md#one-request-end-to-end).
        @Test func aDueCheckAndItsPageReadTheUserOnce() async throws {
            let target = TestDirectory.all[0]
            let directory = try target.directory()
            let store = InMemoryStore()
            let harness = try await DirectoryWritebackTests().harness(target, directory: directory, store: store)
            let frank = target.user("frank")
            let password = "Jd4#Kx7!Mp-\(run)"
            try await directory.resetPassword(userID: frank, new: password, mustChange: false)
            try await harness.browse { browser in
                try await signIn(frank, password: password, browser: browser)
                harness.clock.advance(by: 300)
                let before = store.reads.users
                #expect(try await browser.get("/account").status == .ok)
                #expect(store.reads.users - before == 1)
            }
        }

        @Test(arguments: TestDirectory.all) func anAccountLockedInTheDirectoryEndsTheSession(_ target: TestDirectory) async throws {
            let directory = try target.directory()
            let harness = try await DirectoryWritebackTests().harness(target, directory: directory)
            let grace = target.user("grace")
            try await harness.browse { browser in
                try await signIn(grace, password: target.initialPassword("grace"), browser: browser)
                for _ in 0..<3 { _ = try await directory.authenticate(userID: grace, password: "wrong-password") }
                harness.clock.advance(by: 300)
                #expect(try await browser.get("/account").location == "/signin?ended=changed")
            }
            try await directory.unlock(userID: grace)
            let ended = try await harness.store.auditEvents(ActivityQuery()).filter { $0.activity == .sessionEnded }
            #expect(ended.map(\.detail) == ["the account is locked in the directory"])
        }

        /// While the directory cannot be reached, a user's session goes on for an hour after its last confirmation,
        /// an administrator's ends at its next check.
        @Test func anUnreachableDirectoryEndsAdministratorsSessionsFirst() async throws {
            let target = TestDirectory.all[0]
            let directory = try target.directory()
            let reachable = try await DirectoryWritebackTests().harness(target, directory: directory)
            // A second instance on the same store whose directory does not answer.
            let unreachable = try await Harness(directory: try target.directory { $0.url = "ldap://127.0.0.1:1" }, store: reachable.store)
            let frank = target.user("frank")
            let password = "Gd4#Kx7!Mw-\(run)"
            try await directory.resetPassword(userID: frank, new: password, mustChange: false)
            try await reachable.browse { one in
                try await unreachable.application.test(.router) { client in
                    let other = Browser(client: client, sharingCookiesWith: one)
                    try await signIn(frank, password: password, browser: one)
                    // In use every 18 minutes, so that it does not expire idle meanwhile.
                    for _ in 0..<3 {
                        unreachable.clock.advance(by: 1_100)
                        #expect(try await other.get("/account").status == .ok, "a user's session outlives an outage for an hour")
                    }
                    unreachable.clock.advance(by: 300)
                    #expect(try await other.get("/account").location == "/signin?ended=unconfirmed")

                    var admin = try #require(try await reachable.store.user(userID: frank))
                    admin.roles = [.helpdeskAdmin]
                    try await reachable.store.updateUser(admin)
                    try await signIn(frank, password: password, browser: one)
                    unreachable.clock.set(reachable.clock.now.addingTimeInterval(300))
                    #expect(try await other.get("/account").location == "/signin?ended=unconfirmed", "an administrator's ends at once")
                }
            }
            let details = try await reachable.store.auditEvents(ActivityQuery()).filter { $0.activity == .sessionEnded }.map(\.detail)
            #expect(details == ["the directory could not confirm the account", "the directory could not confirm the account"])
        }
    }
}
