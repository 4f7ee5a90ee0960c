import Foundation
import SesameCore

/// The CAPTCHA's part of a form (the `captcha` partial): a fresh token, its difficulty for the page's script, and the
/// sum asked when script is off. "Who are you?" always shows it; sign-in after a few failures from the network
/// (docs/security.md#sign-in-captcha).
enum CaptchaFields {
    static func values(_ captcha: Captcha, layout: PageLayout, context: WebContext) -> [String: Any] {
        let (token, first, second) = captcha.issue()
        return [
            "token": token, "bits": captcha.bits,
            "question": layout.text("reset.captcha.question", ["first": String(first), "second": String(second)], context),
        ]
    }

    /// What the form sent back.
    static func proof(_ form: FormData) -> CaptchaProof {
        CaptchaProof(token: form.text("captcha"), solution: form["solution"], answer: form["answer"])
    }
}
