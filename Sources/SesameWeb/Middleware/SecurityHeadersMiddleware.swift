import Foundation
import HTTPTypes
import Hummingbird
import SesameCore

/// Strict headers on every response: no script or style from elsewhere, no framing, no referrer, no caching of pages
/// that may show personal data.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let strictTransport: Bool

    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=()"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        if strictTransport { response.headers[.strictTransportSecurity] = "max-age=31536000" }
        return response
    }
}

/// The page language: `?lang=` (remembered in a cookie), else the cookie, else `Accept-Language`, else English.
struct LanguageMiddleware: RouterMiddleware {
    typealias Context = WebContext
    static let cookieName = "sesame_lang"
    let secureCookies: Bool

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        let asked = request.uri.queryParameters["lang"].flatMap { Language(rawValue: String($0)) }
        context.language = asked
            ?? request.cookies[Self.cookieName].flatMap { Language(rawValue: $0.value) }
            ?? Self.preferred(request.headers[.acceptLanguage] ?? "")
            ?? .english
        var response = try await next(request, context)
        if let asked {
            response.setCookie(Cookie(name: Self.cookieName, value: asked.rawValue, maxAge: 31_536_000, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax))
        }
        return response
    }

    /// The first supported language of an `Accept-Language` header, by quality.
    static func preferred(_ header: String) -> Language? {
        header.split(separator: ",").compactMap { item -> (Language, Double)? in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let language = Language(tag: parts[0]) else { return nil }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (language, quality)
        }.max { $0.1 < $1.1 }?.0
    }
}
