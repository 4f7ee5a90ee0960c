import Hummingbird
import SesameCore

/// The page language (docs/localization.md#choosing): `?lang=` (a BCP 47 tag, remembered in a cookie), else the
/// cookie, else `Accept-Language` by quality with fallbacks (`pt-PT` → `pt`, `zh-TW` → `zh-Hant`), else the
/// organisation's `defaultLanguage`.
struct LanguageMiddleware: RouterMiddleware {
    typealias Context = WebContext
    static let cookieName = "sesame_lang"
    let secureCookies: Bool
    /// The organisation's default; English when the policy cannot be read, so that a page still answers.
    let defaultLanguage: @Sendable () async -> Language

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        let asked = request.query["lang"].flatMap(Language.init(tag:))
        if let chosen = asked
            ?? request.cookies[Self.cookieName].flatMap({ Language(tag: $0.value) })
            ?? AcceptLanguage.preferred(request.headers[.acceptLanguage] ?? "")
        {
            context.language = chosen
        } else {
            context.language = await defaultLanguage()
        }
        var response = try await next(request, context)
        if let asked {
            response.setCookie(Cookie(name: Self.cookieName, value: asked.rawValue, maxAge: 31_536_000, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax))
        }
        return response
    }
}
