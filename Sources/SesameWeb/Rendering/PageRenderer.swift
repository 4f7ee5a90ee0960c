import Foundation
import Hummingbird
import Mustache
import SesameCore

/// Renders the server-side pages: a Mustache template inside the shared layout, with the texts of the request's
/// language (`t.…`), the organisation's branding, the CSRF token and the support code.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    static func load() async throws -> PageRenderer {
        guard let path = Bundle.module.resourcePath else { throw PageError.generic }
        return PageRenderer(library: try await MustacheLibrary(directory: path + "/Views"))
    }

    func page(
        _ template: String, title: String, values: [String: Any] = [:], context: WebContext, organisation: String, logo: Bool,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let language = context.language
        var all: [String: Any] = [
            "t": WebCatalogue.nested[language] ?? [:],
            "lang": language.rawValue,
            "title": title,
            "organisation": organisation,
            "logo": logo,
            "csrf": context.session?.session.csrfToken ?? "",
            "requestID": context.requestID,
            "signedIn": context.session?.session.userID != nil,
        ]
        all.merge(values) { _, new in new }
        let html = library.render(all, withTemplate: template) ?? "template \(template) is missing"
        var response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
        response.headers[.contentLanguage] = language.rawValue
        return response
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
