import Foundation
import Hummingbird
import Mustache
import SesameCore

/// Renders the server-side pages: a Mustache template inside the shared layout, with the texts of the request's
/// language (`t.…`), the organisation's branding, the CSRF token and the support code.
struct PageRenderer: Sendable {
    let library: MustacheLibrary
    /// The language menu of every page, rendered once for each current language: its 43 entries were a tenth of a
    /// small page's rendering (README.md#over-http-beside-privacyidea).
    let languageMenus: [Language: String]

    /// Reads every template of `Views`, each behind `ScalarHTML.pragma`: the pragma holds for one template (a
    /// partial or a layout starts again with the library's escaping), so every one of them needs it.
    static func load() async throws -> PageRenderer {
        guard let path = Bundle.module.resourcePath else { throw PageError.generic }
        MustacheContentTypes.register(ScalarHTML(), named: ScalarHTML.name)
        let folder = URL(fileURLWithPath: path).appendingPathComponent("Views")
        var library = MustacheLibrary()
        for file in try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        where file.pathExtension == "mustache" {
            let text = try String(contentsOf: file, encoding: .utf8)
            try library.register(ScalarHTML.pragma + text, named: file.deletingPathExtension().lastPathComponent)
        }
        let menus = Language.allCases.reduce(into: [Language: String]()) { menus, language in
            menus[language] = library.render(["languages": languageMenu(current: language)], withTemplate: "language-menu")
        }
        return PageRenderer(library: library, languageMenus: menus)
    }

    func page(
        _ template: String, title: String, values: [String: Any] = [:], context: WebContext, organisation: String, logo: Bool,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let language = context.language
        var all: [String: Any] = [
            "t": WebCatalogue.nested(language),
            "lang": language.rawValue,
            "dir": language.direction,
            "languageName": language.autonym,
            "languageMenu": languageMenus[language] ?? "",
            "title": title,
            "organisation": organisation,
            "logo": logo,
            "csrf": context.session?.session.csrfToken ?? "",
            "requestID": context.requestID,
            "signedIn": context.session?.session.userID != nil,
        ]
        all.merge(values) { _, new in new }
        let html = self.html(template, all) ?? "template \(template) is missing"
        var response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
        response.headers[.contentLanguage] = language.rawValue
        return response
    }

    /// The template rendered with `values`; nil when there is no such template.
    func html(_ template: String, _ values: [String: Any]) -> String? {
        library.render(values, withTemplate: template)
    }

    /// Every language in its own name, for the menu on every page.
    static func languageMenu(current: Language) -> [[String: Any]] {
        Language.allCases.map { ["tag": $0.rawValue, "name": $0.autonym, "dir": $0.direction, "current": $0 == current] }
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
