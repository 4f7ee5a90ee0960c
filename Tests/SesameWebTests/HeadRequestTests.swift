import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SesameCore
import SesameTestSupport
import Synchronization
import Testing

@testable import SesameWeb

/// HEAD is answered as GET everywhere — pages, static files, the API, unknown paths — with the same status and
/// headers and no body (docs/behaviour.md#head-requests).
@Suite struct HeadRequestTests {
    let harness: Harness

    init() async throws {
        harness = try await Harness()
    }

    /// HEAD, then GET of `uri` with the same headers, in one new browser.
    func both(_ uri: String, headers: HTTPFields = [:]) async throws -> (get: Page, head: Page) {
        let pages = Mutex<(Page, Page)?>(nil)
        try await harness.browse { browser in
            let head = try await browser.send(uri, method: .head, headers: headers, body: nil)
            let get = try await browser.send(uri, method: .get, headers: headers, body: nil)
            pages.withLock { $0 = (get, head) }
        }
        let (get, head) = try #require(pages.withLock { $0 })
        #expect(head.status == get.status, "\(uri)")
        #expect(head.headers[.contentType] == get.headers[.contentType], "\(uri)")
        #expect(head.body.isEmpty && !get.body.isEmpty, "\(uri)")
        return (get, head)
    }

    @Test func aPageAnswersHeadWithItsHeadersAndNoBody() async throws {
        let (get, head) = try await both("/reset")
        #expect(head.status == .ok)
        #expect(head.headers[.contentType]?.hasPrefix("text/html") == true)
        // The page carries fresh tokens, so only its length's presence is comparable, not its value.
        #expect(Int(head.headers[.contentLength] ?? "") ?? 0 > 0 && get.headers[.contentLength] != nil)
        #expect(head.headers[.contentSecurityPolicy] == get.headers[.contentSecurityPolicy])
        #expect(head.headers[.setCookie]?.hasPrefix("sesame_session=") == true, "a new visitor's session, as GET starts it")
    }

    @Test func aStaticFileAnswersHeadWithItsLength() async throws {
        let (get, head) = try await both("/static/sesame.css")
        #expect(head.status == .ok)
        #expect(head.headers[.contentLength] == String(get.body.utf8.count))
        #expect(head.headers[.cacheControl] == "public, max-age=86400")
    }

    @Test func theAPIAnswersHeadBehindItsToken() async throws {
        let token = try await TokenService(store: harness.store, clock: harness.clock, random: SystemRandomSource()).create(name: "probe", actor: "cli")
        let (get, head) = try await both("/api/v1/users", headers: [.authorization: "Bearer \(token)"])
        #expect(head.status == .ok && head.headers[.contentType]?.hasPrefix("application/json") == true)
        #expect(head.headers[.contentLength] == get.headers[.contentLength])
        let (_, refused) = try await both("/api/v1/users")
        #expect(refused.status == .unauthorized, "no token, as for GET")
        let (_, forged) = try await both("/api/v1/users", headers: [.authorization: "Bearer sesame_forged"])
        #expect(forged.status == .unauthorized)
    }

    @Test func aPathThatTakesNoGetRefusesHeadAsItRefusesGet() async throws {
        let token = try await TokenService(store: harness.store, clock: harness.clock, random: SystemRandomSource()).create(name: "probe", actor: "cli")
        let (_, head) = try await both("/api/v1/users/import", headers: [.authorization: "Bearer \(token)"])
        #expect(head.status == .methodNotAllowed && head.headers[.allow] == "POST")
    }

    @Test func anUnknownPathAnswersHeadWith404() async throws {
        let (_, page) = try await both("/nowhere")
        #expect(page.status == .notFound && page.headers[.contentType]?.hasPrefix("text/html") == true)
        let (_, api) = try await both("/api/v1/nowhere")
        #expect(api.status == .notFound && api.headers[.contentType]?.hasPrefix("application/json") == true)
    }

    /// Over a real socket, the server sends the GET's `Content-Length` and no body after it.
    @Test func aLiveServerSendsNoBodyToHead() async throws {
        try await harness.application.test(.live) { client in
            let get = try await client.execute(uri: "/static/sesame.js", method: .get)
            let head = try await client.execute(uri: "/static/sesame.js", method: .head)
            #expect(head.status == .ok && head.body.readableBytes == 0)
            #expect(head.headers[.contentLength] == String(get.body.readableBytes) && get.body.readableBytes > 0)
        }
    }
}
