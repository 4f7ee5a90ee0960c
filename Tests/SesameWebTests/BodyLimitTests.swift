import HTTPTypes
import SesameCore
import Testing

@testable import SesameWeb

/// Body limits are declared where the routes are registered (docs/security.md#body-limits).
@Suite struct BodyLimitTests {
    /// A body past the form limit is read (then refused for its missing CSRF token) only on a route that declares a
    /// larger body, and only from the roles the declaration names; a large-body route that lost its declaration
    /// would refuse it as too large.
    @Test(arguments: [
        ("/admin/users/import", Role.userAdmin, true), ("/admin/users/import", .globalAdmin, true),
        ("/admin/branding/logo", .globalAdmin, true), ("/admin/branding/logo", .userAdmin, false),
        ("/admin/branding", .globalAdmin, false), ("/admin/users/bob%40contoso.com", .globalAdmin, false),
    ])
    func aLargeBodyIsReadOnlyWhereItsRouteDeclaresItForItsRoles(_ path: String, _ role: Role, _ declared: Bool) async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [role])
        try await harness.addUser("bob@contoso.com")
        let body = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n" + String(repeating: "x", count: 200_000) + "\r\n--b--\r\n"
        try await harness.browse { admin in
            try await admin.signIn()
            let answer = try await admin.send(path, method: .post, headers: [.contentType: "multipart/form-data; boundary=b"], body: body)
            #expect(answer.status == (declared ? .forbidden : .contentTooLarge))
        }
    }
}
