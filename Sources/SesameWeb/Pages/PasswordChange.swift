import Foundation
import SesameCore

/// The change-password form, for the account page and for a password that expired (docs/behaviour.md#change-password):
/// the rules are `PasswordChangeService`'s; this maps its outcome to the page's messages.
struct PasswordChange {
    let service: PasswordChangeService
    let policies: PolicyCache
    let directorySessions: DirectorySessionCheck
    let clock: any WallClock

    enum Outcome {
        /// The user as saved with the new password.
        case changed(User)
        /// The messages to show.
        case refused([String])

        var errors: [String] {
            if case .refused(let errors) = self { errors } else { [] }
        }
    }

    /// Changes `signedIn`'s password from the posted form.
    func apply(_ form: FormData, to signedIn: User, context: WebContext) async throws -> Outcome {
        let outcome = try await service.change(
            signedIn, current: form["current"] ?? "", new: form["new"] ?? "", confirm: form["confirm"] ?? "", policy: try await policies.policy(),
            keepingSession: context.session.map { SessionMiddleware.digest($0.key) }, requestID: context.requestID)
        switch outcome {
        case .changed(let changed):
            if changed.source == .directory {
                // The session's own change is no reason to end it: it watches the new password from now on. Should the
                // directory not answer now, the next check ends the session instead (docs/security.md#sessions-and-the-directory).
                let watch = try? await directorySessions.watch(userID: changed.userID)
                if let watch { context.session?.update { $0.directory = watch } }
            }
            return .changed(changed)
        case .signInRefused(let check):
            return .refused([SignInMessages.refusal(check, now: clock.now, context)?.message ?? WebCatalogue.text("signin.failed", in: context.language)])
        case .refused(let error): return .refused([WebCatalogue.render(error.message, in: context.language)])
        case .mismatch: return .refused([WebCatalogue.text("change.mismatch", in: context.language)])
        case .rejected(let rejections, let rules): return .refused(rejections.map { WebCatalogue.render($0.message(rules: rules), in: context.language) })
        }
    }
}
