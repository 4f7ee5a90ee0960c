import Foundation
import Hummingbird
import SesameCore

/// Renders the server-side pages: a template of `Views` inside the shared layout, with the texts of the request's
/// language (`t.…`), the organisation's branding, the CSRF token and the support code.
struct PageRenderer: Sendable {
    let templates: PageTemplates
    /// The language menu of every page, rendered once for each current language: its 43 entries were a tenth of a
    /// small page's rendering (README.md#over-http-beside-privacyidea).
    let languageMenus: [Language: String]

    /// Reads and parses every template of `Views`. A template the parser refuses, one that names a partial that is
    /// not there or includes itself, or a missing language menu, stops the server at its start rather than a page later.
    static func load() async throws -> PageRenderer {
        let templates = try PageTemplates(sources: sources())
        var menus: [Language: String] = [:]
        for language in Language.allCases {
            guard let menu = templates.render("language-menu", ["languages": languageMenu(current: language)]) else {
                throw PageTemplates.TemplateSetError.missing("language-menu", namedBy: "every page")
            }
            menus[language] = String(decoding: menu, as: UTF8.self)
        }
        return PageRenderer(templates: templates, languageMenus: menus)
    }

    /// The text of every template of `Views`, by name.
    static func sources() throws -> [String: String] {
        guard let path = Bundle.module.resourcePath else { throw PageError.generic }
        let folder = URL(fileURLWithPath: path).appendingPathComponent("Views")
        var sources: [String: String] = [:]
        for file in try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        where file.pathExtension == "mustache" {
            sources[file.deletingPathExtension().lastPathComponent] = try String(contentsOf: file, encoding: .utf8)
        }
        return sources
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
        let html = templates.render(template, all) ?? Array("template \(template) is missing".utf8)
        var response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: html)))
        response.headers[.contentLanguage] = language.rawValue
        return response
    }

    /// Every language in its own name, for the menu on every page.
    static func languageMenu(current: Language) -> [[String: Any]] {
        Language.allCases.map { ["tag": $0.rawValue, "name": $0.autonym, "dir": $0.direction, "current": $0 == current] }
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
