import Foundation
import Hummingbird
import SesameCore
import Testing

@testable import SesameWeb

/// A notice after an administrator's action is chosen by `?done=` in the address; anyone can send an administrator
/// a link, so only the known notices are shown, never the text of the address (docs/security.md#admin-notices).
@Suite struct AdminNoticeTests {
    static let planted = "Your-session-expired:-call-555-0100-with-your-password"

    @Test(arguments: ["/admin/branding", "/admin/users/alice%40contoso.com"])
    func anUnknownDoneValueShowsNoNotice(_ path: String) async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [.globalAdmin])
        try await harness.browse { browser in
            try await browser.signIn()
            let page = try await browser.get(path + "?done=" + Self.planted)
            #expect(page.status == .ok)
            #expect(!page.contains(Self.planted) && !page.body.contains("class=\"notice ok\""))
            let known = try await browser.get(path + "?done=saved")
            #expect(known.contains("Saved, and recorded in the audit log."))
        }
    }
}
