import Foundation
import SesameCore

/// The change-password form, for the account page and for a password that expired (docs/behaviour.md#change-password):
/// the rules are `PasswordChangeService`'s; this maps its outcome to the page's messages.
struct PasswordChange {
    let pages: Pages
    let service: PasswordChangeService

    /// Changes `signedIn`'s password from the posted form, or returns the messages to show.
    func apply(_ form: FormData, to signedIn: User, context: WebContext) async throws -> [String] {
        let outcome = try await service.change(
            signedIn, current: form["current"] ?? "", new: form["new"] ?? "", confirm: form["confirm"] ?? "", policy: try await pages.policy(),
            keepingSession: context.session.map { SessionMiddleware.digest($0.key) }, requestID: context.requestID)
        switch outcome {
        case .changed(let changed):
            if changed.source == .directory {
                // The session's own change is no reason to end it: it watches the new password from now on. Should the
                // directory not answer now, the next check ends the session instead (docs/security.md#sessions-and-the-directory).
                let watch = try? await pages.directorySessions.watch(userID: changed.userID)
                if let watch { context.session?.update { $0.directory = watch } }
            }
            return []
        case .signInRefused(let check): return [pages.signInRefusal(check, context)?.message ?? pages.text("signin.failed", context)]
        case .refused(let error): return [pages.text(error.message, context)]
        case .mismatch: return [pages.text("change.mismatch", context)]
        case .rejected(let rejections, let rules): return rejections.map { pages.text($0.message(rules: rules), context) }
        }
    }
}
