import Foundation
import Hummingbird
import SesameCore

/// "This wasn't me" (docs/behaviour.md#this-wasnt-me): a notice's link opens a confirmation, and only its form acts.
/// Mail scanners and link previews fetch links, so a `GET` only reads.
struct ReportLinkController {
    let layout: PageLayout
    let links: ReportLinks

    var endpoints: RouteCollection<WebContext> {
        RouteCollection(context: WebContext.self)
            .get("wasnt-me/:token", use: confirmation)
            .post("wasnt-me/:token", use: report)
    }

    @Sendable func confirmation(_ request: Request, context: WebContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard try await links.isLive(token) else { return try await unusable(context) }
        return try await layout.render("wasnt-me", titleKey: "wasntMe.title", values: ["token": token], context: context)
    }

    @Sendable func report(_ request: Request, context: WebContext) async throws -> Response {
        guard try await links.report(context.parameters.get("token") ?? "", requestID: context.requestID) else { return try await unusable(context) }
        // This browser's session, if it was the user's, ended with the others: the middleware never saves it again.
        return try await message("wasntMe.done", context)
    }

    /// One page for a used, expired or unknown link: it says nothing of the account (docs/security.md#enumeration).
    private func unusable(_ context: WebContext) async throws -> Response {
        try await message("wasntMe.unusable", context)
    }

    private func message(_ key: String, _ context: WebContext) async throws -> Response {
        try await layout.render("reset-message", titleKey: "\(key).title", values: [
            "heading": layout.text("\(key).title", context), "text": layout.text("\(key).text", context), "signIn": true,
        ], context: context)
    }
}
