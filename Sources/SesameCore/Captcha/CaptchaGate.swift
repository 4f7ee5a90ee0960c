import Foundation

/// The CAPTCHA as "Who are you?" applies it, with the store: a token opens one start only — spent at its first use,
/// right or wrong, on whichever instance sees it — and answers to the no-script sum count against a limit per client
/// of their own, tighter than starts in general, since one guess in 17 is right.
public struct CaptchaGate: Sendable {
    public enum Verdict: Sendable, Hashable {
        case passed
        /// Forged, expired, already used, or a wrong proof.
        case failed
        /// Too many sums answered from this client; the proof of work is still open to it.
        case tooManySums
    }

    private let captcha: Captcha
    private let throttles: Throttles

    public init(captcha: Captcha, store: any ThrottleStore, clock: any WallClock, metrics: SesameMetrics = .none) {
        self.captcha = captcha
        throttles = Throttles(store: store, clock: clock, metrics: metrics)
    }

    public func check(_ proof: CaptchaProof, clientAddress: String) async throws -> Verdict {
        let (solution, answer) = (proof.solution, proof.answer)
        guard let ticket = captcha.open(proof.token) else { return .failed }
        // Spent before the proof is looked at, so that a token allows one guess at its sum, not seventeen.
        guard try await throttles.allows(.captchaToken, ticket.nonce) else {
            return .failed
        }
        if let answer, !answer.trimmingWhiteSpace().isEmpty {
            guard try await throttles.allows(.captchaSum, clientAddress) else {
                return .tooManySums
            }
            return captcha.accepts(ticket, solution: nil, answer: answer) ? .passed : .failed
        }
        return captcha.accepts(ticket, solution: solution, answer: nil) ? .passed : .failed
    }
}

/// What a form sends back for the CAPTCHA: the token, and the script's solution or the typed sum.
public struct CaptchaProof: Sendable, Hashable {
    public let token: String
    public let solution: String?
    public let answer: String?

    public init(token: String, solution: String?, answer: String?) {
        self.token = token
        self.solution = solution
        self.answer = answer
    }
}
