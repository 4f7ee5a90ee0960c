/// How "Who are you?" ended.
public enum ResetStart: Sendable, Hashable {
    /// Verification begins: the gates to pass and the options for the first one.
    case verify(ResetFlow, gates: Int, options: [GateOption])
    /// Not enabled for password reset: disabled, reset off, or outside the group (docs/behaviour.md#eligibility).
    case notEnabled
    /// "We could not verify your account": no or too little data — and every unknown user ID.
    case cannotVerify
    /// "Please contact your admin": the password lives in a directory Sesame may not write to.
    case managedElsewhere
    /// The directory that keeps the password cannot be reached now (docs/behaviour.md#password-writeback).
    case directoryUnavailable
    /// Too many attempts: "Please use another option…" with the real numbers.
    case blocked
    /// Too many reset starts from this address.
    case tooManyStarts
}

/// An option offered at a gate, with what the user sees of the destination.
public struct GateOption: Sendable, Hashable {
    public let option: VerificationOption
    /// Masked phone or address; empty for security questions and the authenticator app.
    public let destination: String
}

/// What happened to a step of a gate. A step that shows the gate's page again carries that page, decided from the
/// step's own reading of the user and the policy.
public enum GateStep: Sendable, Hashable {
    /// Waiting for the user: type the phone number, the code, or the answers.
    case waiting(ResetFlow)
    /// The gate is passed; `options` are those left for the next gate, empty when all are passed.
    case passed(ResetFlow, options: [GateOption])
    /// "Incorrect phone number specified."
    case incorrectPhoneNumber(ResetFlow, view: GateView)
    /// A wrong code or answer, with the tries left on this code (questions are redrawn).
    case wrong(ResetFlow, attemptsLeft: Int?, view: GateView)
    /// A wrong authenticator code, or one already used: the app's next code may be typed.
    case authenticatorRefused(ResetFlow, view: GateView)
    /// The passkey was not accepted, for this reason (which the log gets; the user is told only that).
    case passkeyRefused(ResetFlow, PasskeyRefusal, view: GateView)
    /// The code expired or was used up: choose the option again.
    case codeUnusable(ResetFlow, view: GateView)
    /// "Oops! We encountered an unexpected error while contacting you."
    case deliveryFailed(ResetFlow, view: GateView)
    /// Too many attempts; the flow ends.
    case blocked
    /// A send was refused by a limit that leaves the flow going: the network's, the user's daily bound, the
    /// destination's. Choose another option or come back later.
    case sendRefused(ResetFlow, SendLimits.Refusal, view: GateView)
    /// The phone rule refuses the number on file for this channel (the policy changed after the option was offered):
    /// nothing was sent; choose another option.
    case phoneRefused(ResetFlow, PhoneRule.Refusal)
    /// The 15 minutes are over.
    case expired
}

/// What the page after the gates offers.
public enum PasswordChoice: Sendable, Hashable {
    /// A gate is still to pass.
    case gatesLeft
    case newPassword
    /// The account is locked and the policy allows "unlock only": the user chooses.
    case unlockOrNewPassword
}

/// How choosing the new password ended.
public enum PasswordStep: Sendable, Hashable {
    case rejected([PasswordRejection])
    /// The directory refused; when ``WritebackError/isPasswordRefusal``, the user may choose another password.
    case refusedByDirectory(WritebackError)
    case done
    case expired
    /// The user is blocked since the gates were passed (docs/behaviour.md#this-wasnt-me): nothing was changed.
    case blocked
}
