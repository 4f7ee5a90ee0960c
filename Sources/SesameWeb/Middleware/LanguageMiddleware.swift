import Hummingbird
import SesameCore

/// The page language: `?lang=` (remembered in a cookie), else the cookie, else `Accept-Language`, else English.
struct LanguageMiddleware: RouterMiddleware {
    typealias Context = WebContext
    static let cookieName = "sesame_lang"
    let secureCookies: Bool

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        let asked = request.query["lang"].flatMap(Language.init(rawValue:))
        context.language = asked
            ?? request.cookies[Self.cookieName].flatMap { Language(rawValue: $0.value) }
            ?? AcceptLanguage.preferred(request.headers[.acceptLanguage] ?? "")
            ?? .english
        var response = try await next(request, context)
        if let asked {
            response.setCookie(Cookie(name: Self.cookieName, value: asked.rawValue, maxAge: 31_536_000, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax))
        }
        return response
    }
}
