import Foundation
import Hummingbird
import SesameCore

extension Pages {
    /// The sign-in page's message for a refusal of ``SignInService``: the same words for an unknown user ID, a
    /// disabled account and a wrong password, and "locked" for any of them once locked (docs/security.md#enumeration).
    func signInRefusal(_ outcome: SignInService.Outcome, _ context: WebContext) -> (message: String, status: HTTPResponse.Status)? {
        switch outcome {
        case .accepted: return nil
        case .failed: return (text("signin.failed", context), .unauthorized)
        case .locked(let until):
            let minutes = max(1, Int((until.timeIntervalSince(clock.now) / 60).rounded(.up)))
            return (text("signin.locked", ["minutes": String(minutes)], context), .forbidden)
        case .refused(let error):
            // The directory's own lockout, a disabled entry, or a directory that cannot be reached.
            let status: HTTPResponse.Status = if case .unavailable = error { .serviceUnavailable } else { .forbidden }
            return (text(error.message, context), status)
        case .tooManyFromNetwork: return (text("signin.tooMany", context), .tooManyRequests)
        }
    }
}
