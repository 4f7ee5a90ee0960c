import Foundation
import HTTPTypes
import NIOCore
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// `/admin/branding`: names and helpdesk link, and the logo's upload checked by its bytes and size.
@Suite struct AdminBrandingTests {
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])

    /// Posts `file` as the `logo` field of a multipart form, with the CSRF token of the last page.
    func upload(_ file: Data, named name: String, type: String, browser: Browser) async throws -> Page {
        try await post(file, named: name, type: type, csrf: try #require(try await browser.get("/admin/branding").csrf), browser: browser)
    }

    /// Posts `file` as the `logo` field of a multipart form with `csrf`.
    func post(_ file: Data, named name: String, type: String, csrf: String, browser: Browser) async throws -> Page {
        let boundary = "sesame-test-boundary"
        var body = ByteBuffer(string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n")
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"\(name)\"\r\nContent-Type: \(type)\r\n\r\n")
        body.writeBytes(file)
        body.writeString("\r\n--\(boundary)--\r\n")
        return try await browser.send(
            "/admin/branding/logo", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], bytes: body)
    }

    /// The upload's larger body is decided by the sender's roles before the body is read: the page then reuses that
    /// reading of the user (docs/architecture.md#one-request-end-to-end).
    @Test func anUploadReadsTheSignedInUserOnce() async throws {
        let store = InMemoryStore()
        let harness = try await Harness(store: store)
        try await harness.addUser(roles: [.globalAdmin])
        try await harness.browse { browser in
            try await browser.signIn()
            let csrf = try #require(try await browser.get("/admin/branding").csrf)
            let before = store.reads.users
            #expect(try await post(Self.png, named: "logo.png", type: "image/png", csrf: csrf, browser: browser).location == "/admin/branding?done=logo")
            #expect(store.reads.users - before == 1)
        }
    }

    @Test func namesAndHelpdeskLinkAreSavedWithThePolicysChecks() async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [.globalAdmin])
        try await harness.browse { browser in
            try await browser.signIn()
            let page = try await browser.get("/admin/branding")
            #expect(page.contains("Preview of the reset page") && page.contains("Who are you?"))
            let refused = try await browser.post("/admin/branding", [("organisationName", ""), ("mailSenderName", ""), ("helpdeskLink", "javascript:alert(1)")])
            #expect(refused.status == .unprocessableContent && refused.body.matches(of: /<p>[^<]+<\/p>/).count >= 2)
            let saved = try await browser.post("/admin/branding", [("organisationName", "Fabrikam"), ("mailSenderName", "Fabrikam IT"), ("helpdeskLink", "https://help.fabrikam.example")])
            #expect(saved.location == "/admin/branding?done=saved")
            #expect(try await browser.get("/admin/branding").contains("<span class=\"name\">Fabrikam</span>"))
        }
        let policy = try #require(try await harness.store.policy()?.policy)
        #expect(policy.organisationName == "Fabrikam" && policy.mailSenderName == "Fabrikam IT")
    }

    @Test func theLogoIsCheckedByItsBytesAndSize() async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [.globalAdmin])
        try await harness.browse { browser in
            try await browser.signIn()
            let text = try await upload(Data("just some text".utf8), named: "logo.png", type: "image/png", browser: browser)
            #expect(text.status == .unprocessableContent && text.contains("the logo must be a PNG, JPEG or SVG image"))
            let script = try await upload(Data("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".utf8), named: "x.svg", type: "image/svg+xml", browser: browser)
            #expect(script.status == .unprocessableContent)
            let big = try await upload(Self.png + Data(repeating: 0x41, count: 600 * 1024), named: "big.png", type: "image/png", browser: browser)
            #expect(big.status == .unprocessableContent && big.contains("the logo is larger than 512 KB"))
            #expect(try await harness.store.logo() == nil, "nothing was kept")
            let good = try await upload(Self.png, named: "logo.png", type: "image/png", browser: browser)
            #expect(good.location == "/admin/branding?done=logo")
            let page = try await browser.get("/signin")
            #expect(page.body.contains("<img src=\"/branding/logo\""))
            let image = try await browser.get("/branding/logo")
            #expect(image.headers[.contentType] == "image/png")
            try await browser.get("/admin/branding")
            #expect(try await browser.post("/admin/branding/logo/remove", []).location == "/admin/branding?done=removed")
        }
        #expect(try await harness.store.logo() == nil)
        #expect(try await harness.store.auditEvents(ActivityQuery()).filter { $0.target == "logo" }.count == 2)
    }

    @Test func onlyGlobalAdministratorsChangeIt() async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [.userAdmin])
        try await harness.browse { browser in
            try await browser.signIn()
            let page = try await browser.get("/admin/branding")
            #expect(page.status == .ok && page.contains("Only global administrators can change"))
            #expect(try await browser.post("/admin/branding", [("organisationName", "Mine")]).status == .forbidden)
        }
    }
}
