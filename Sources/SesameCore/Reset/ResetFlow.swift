import Foundation

/// One password reset (or unlock) in progress: who was typed, which gates are passed, and the challenge under way —
/// or a signed-in user's step-up, which passes one gate before a change of methods (docs/behaviour.md#step-up).
/// It lives in the browser's session and moves only through ``ResetService``.
public struct ResetFlow: Sendable, Codable, Hashable {
    public let id: UUID
    /// The user ID as typed: reports show it even when it matches nobody.
    public let typedUserID: String
    public let userID: UUID
    public let startedAt: Date
    /// The network the flow started from: its wrong proofs count toward this user's block *from this address*, so
    /// that a stranger elsewhere cannot block the user (docs/security.md#malicious-lockout).
    public let clientAddress: String
    /// Gates passed, in order.
    public private(set) var passed: [VerificationOption] = []
    public private(set) var challenge: Challenge?
    /// The temporary access pass that passed the gates, which must still be the user's when the reset ends.
    public private(set) var accessPassID: UUID?
    /// When the last gate was passed: a step-up's ten minutes count from then, not from when its page is next seen.
    public private(set) var lastPassedAt: Date?
    /// `nil` for a reset, which sessions saved before step-ups existed keep decoding as.
    let purpose: Purpose?
    /// Methods this flow may not use: a step-up after a passkey sign-in may not be passed with a passkey again.
    let excluded: Set<AuthenticationMethod>?

    public enum Purpose: String, Sendable, Codable, Hashable {
        /// A signed-in user proves who they are with one method before changing their methods.
        case stepUp
    }

    /// A step-up, not a reset: one gate, and no new password ever follows it.
    public var isStepUp: Bool { purpose == .stepUp }

    /// How many gates this flow needs when the user's policy asks `required` of a reset.
    public func gates(required: Int) -> Int { isStepUp ? 1 : required }

    /// The gate in progress.
    public enum Challenge: Sendable, Codable, Hashable {
        /// A phone option was chosen: the user must first type the full number
        /// (docs/behaviour.md#codes-by-sms-call-or-email).
        case confirmPhone(VerificationOption)
        /// A code was sent for this option.
        case code(VerificationOption, challengeID: UUID, destination: String)
        /// These questions were drawn.
        case questions([SecurityQuestion])
        /// The authenticator app was chosen: its current code is awaited.
        case authenticatorCode
        /// "Enter one of my recovery codes" was chosen: waiting for the code.
        case recoveryCode
        /// "Use a passkey" was chosen: waiting for the browser's assertion.
        case passkey

        public var option: VerificationOption {
            switch self {
            case .confirmPhone(let option), .code(let option, _, _): option
            case .questions: .securityQuestions
            case .authenticatorCode: .authenticatorApp
            case .recoveryCode: .recoveryCode
            case .passkey: .passkey
            }
        }
    }

    init(
        id: UUID = UUID(), typedUserID: String, userID: UUID, startedAt: Date, clientAddress: String, purpose: Purpose? = nil,
        excluded: Set<AuthenticationMethod>? = nil
    ) {
        self.id = id
        self.typedUserID = typedUserID
        self.userID = userID
        self.startedAt = startedAt
        self.clientAddress = clientAddress
        self.purpose = purpose
        self.excluded = excluded
    }

    /// 15 minutes from "Who are you?" (docs/behaviour.md#reset-portal).
    public static let lifetime: TimeInterval = 15 * 60

    public func hasExpired(at now: Date) -> Bool {
        now.timeIntervalSince(startedAt) >= Self.lifetime
    }

    mutating func begin(_ challenge: Challenge) {
        self.challenge = challenge
    }

    /// Drops the challenge under way (a code that can no longer be used, a send that failed): choose again.
    public mutating func dropChallenge() {
        challenge = nil
    }

    func droppingChallenge() -> ResetFlow {
        var flow = self
        flow.dropChallenge()
        return flow
    }

    mutating func pass(at now: Date) {
        if let option = challenge?.option { passed.append(option) }
        challenge = nil
        lastPassedAt = now
    }

    /// The methods already used, and those the flow may not use: a second gate must use another one
    /// (docs/behaviour.md#gates).
    public var usedMethods: Set<AuthenticationMethod> { Set(passed.compactMap(\.method)).union(excluded ?? []) }

    /// Whether the flow may go on to the new password: `required` gates passed, or a temporary access pass, which
    /// stands for them all (docs/behaviour.md#temporary-access-pass).
    public func hasPassedGates(required: Int) -> Bool {
        passed.contains(.accessPass) || passed.count >= required
    }

    /// A right temporary access pass: every gate passed, whatever was under way.
    mutating func passWithAccessPass(_ passID: UUID, at now: Date) {
        passed.append(.accessPass)
        accessPassID = passID
        challenge = nil
        lastPassedAt = now
    }

    /// How far a flow went: a temporary access pass is as far as it gets.
    var progress: Int { passed.contains(.accessPass) ? Int.max : passed.count }

    /// What a session keeps when two requests both changed its flow from `base`: `theirs` was written first, `ours`
    /// comes second. A flow only ever moves forward, so of one flow the one with more gates passed wins (the first
    /// written on a tie); an ended flow stays ended, and a newly started one replaces the old
    /// (docs/security.md#session-writes-across-instances).
    public static func reconciled(base: ResetFlow?, ours: ResetFlow?, theirs: ResetFlow?) -> ResetFlow? {
        switch (ours, theirs) {
        case let (ours?, theirs?) where ours.id == theirs.id: ours.progress > theirs.progress ? ours : theirs
        case let (ours?, _) where ours.id != base?.id: ours
        case let (nil, theirs?) where theirs.id == base?.id: nil
        default: theirs
        }
    }
}
