import Foundation
import Hummingbird
import SesameCore

enum SignInMessages {
    /// The sign-in page's message for a refusal of ``SignInService``: the same words for an unknown user ID, a
    /// disabled account and a wrong password, and "locked" for any of them once locked (docs/security.md#enumeration).
    static func refusal(
        _ outcome: SignInService.Outcome, now: Date, _ context: WebContext
    ) -> (message: String, status: HTTPResponse.Status)? {
        let language = context.language
        switch outcome {
        case .accepted: return nil
        case .failed: return (WebCatalogue.text("signin.failed", in: language), .unauthorized)
        case .locked(let until):
            let minutes = max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up)))
            return (WebCatalogue.text("signin.locked", ["minutes": String(minutes)], in: language), .forbidden)
        case .refused(let error):
            // The directory's own lockout, a disabled entry, or a directory that cannot be reached.
            let status: HTTPResponse.Status = if case .unavailable = error { .serviceUnavailable } else { .forbidden }
            return (WebCatalogue.render(error.message, in: language), status)
        case .tooManyFromNetwork: return (WebCatalogue.text("signin.tooMany", in: language), .tooManyRequests)
        case .captchaRequired: return (WebCatalogue.text("reset.captcha.failed", in: language), .unprocessableContent)
        }
    }
}
