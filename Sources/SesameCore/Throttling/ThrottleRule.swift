import Foundation

/// What is being counted, and for whom (docs/behaviour.md#throttles).
public enum ThrottleKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Failed identity proofs (wrong codes, wrong answers) for one user from every network: 20 in 24 h → self-service
    /// reset blocked 24 h from everywhere (docs/security.md#malicious-lockout).
    case identityProof
    /// Failed identity proofs for one user from one client IP: 5 in 24 h → self-service reset blocked 24 h from that
    /// network only, so that a stranger's wrong codes block the stranger, not the user
    /// (docs/security.md#malicious-lockout).
    case addressIdentityProof
    /// Wrong codes typed at the registration portal by one user, whichever code they were for: 10 in 24 h → code
    /// checks refused 24 h, so that asking for another code never brings fresh guesses (docs/behaviour.md#throttles).
    case registrationProof
    /// A notice's "This wasn't me" link followed for one user: the first blocks self-service reset for 24 h
    /// (docs/behaviour.md#this-wasnt-me).
    case reportedEvent
    /// SMS and voice sends for one user: 5 in 1 h → blocked 24 h.
    case phoneSend
    /// Emails sent to one user: 10 in 10 min → blocked 24 h.
    case emailSend
    /// Sends to one phone number, whoever asks: 5 per hour.
    case destinationPhone
    /// Codes sent to one user by phone (SMS and calls together): 20 in 24 h → blocked 24 h, so that staying under
    /// the hourly limit cannot go on forever.
    case dailyPhoneSend
    /// Codes sent to one user by email: 20 in 24 h → blocked 24 h. Apart from phones, so that exhausting one channel
    /// leaves the other.
    case dailyEmailSend
    /// Codes and "contact your administrator" emails asked from one client IP: 20 per hour.
    case clientSend
    /// Wrong phone numbers typed for one user from one client IP: 5 in 1 h → blocked 24 h (the phone validation limit,
    /// counted per network so that a stranger's guesses do not block the user; docs/behaviour.md#throttles).
    case phoneCheck
    /// Wrong phone numbers typed for one user from every network: 20 in 24 h → phone checks blocked 24 h, so that
    /// many networks together cannot guess the number either.
    case dailyPhoneCheck
    /// Failed sign-ins from one client IP: 30 in 10 min → blocked 30 min.
    case clientSignIn
    /// Failed sign-ins from one client IP: 3 in 10 min → the sign-in form asks for the CAPTCHA for 30 min
    /// (docs/behaviour.md#throttles).
    case signInCaptcha
    /// A reset from a browser without cookies, reported for one user: once per hour, so that anonymous posts
    /// cannot fill the report.
    case cookielessReport
    /// Reset starts from one client IP: 20 per 10 min.
    case clientResetStart
    /// "Contact your administrator" requests about one user: 1 per hour, so that the link cannot flood the admins.
    case contactRequest
    /// One CAPTCHA token, by its nonce: used once, then refused for as long as it could be valid.
    case captchaToken
    /// Answers to the no-script CAPTCHA sum from one client IP: 5 per 10 min, a quarter of the starts allowed, since
    /// a sum of two digits is guessed once in 17.
    case captchaSum
    /// Texts and calls in one UTC day, overall or to one country: the operator's budget
    /// (docs/security.md#phone-budget), whose limit replaces the nominal one here.
    case phoneBudget
    /// The administrators told that a day's phone budget is spent: once per day and scope.
    case phoneBudgetNotice

    /// The kinds counted per user, cleared when that user resets successfully.
    /// An administrator's password reset lifts a "This wasn't me" block too: the administrators were told, and their
    /// reset is the way back they were asked to check.
    public static let perUser: [ThrottleKind] = [
        .identityProof, .addressIdentityProof, .reportedEvent, .phoneSend, .emailSend, .dailyPhoneSend, .dailyEmailSend, .dailyPhoneCheck,
    ]

    /// The kinds whose block stops a user's self-service resets: failed identity proofs and "This wasn't me"
    /// (docs/behaviour.md#this-wasnt-me). The admin user page shows the later of their blocks.
    public static let resetBlocks: [ThrottleKind] = [.identityProof, .reportedEvent]

    /// What a successful self-service reset clears: the per-user kinds but the "This wasn't me" block, which a reset
    /// that was under way when the user reported must not erase.
    public static var clearedBySelfServiceReset: [ThrottleKind] { perUser.filter { $0 != .reportedEvent } }

    /// The longest window of any kind: a counter idle longer than this, and not blocked, counts as if it were gone.
    public static var longestWindow: TimeInterval { allCases.map(\.rule.window).max() ?? 0 }

    public var rule: ThrottleRule {
        switch self {
        case .identityProof: ThrottleRule(limit: 20, window: 24 * 3_600, block: 24 * 3_600)
        case .addressIdentityProof: ThrottleRule(limit: 5, window: 24 * 3_600, block: 24 * 3_600)
        case .registrationProof: ThrottleRule(limit: 10, window: 24 * 3_600, block: 24 * 3_600)
        case .reportedEvent: ThrottleRule(limit: 1, window: 24 * 3_600, block: 24 * 3_600)
        case .phoneSend: ThrottleRule(limit: 5, window: 3_600, block: 24 * 3_600)
        case .emailSend: ThrottleRule(limit: 10, window: 600, block: 24 * 3_600)
        case .destinationPhone: ThrottleRule(limit: 5, window: 3_600, block: 3_600)
        case .dailyPhoneSend, .dailyEmailSend, .dailyPhoneCheck: ThrottleRule(limit: 20, window: 24 * 3_600, block: 24 * 3_600)
        case .clientSend: ThrottleRule(limit: 20, window: 3_600, block: 3_600)
        case .phoneCheck: ThrottleRule(limit: 5, window: 3_600, block: 24 * 3_600)
        case .clientSignIn: ThrottleRule(limit: 30, window: 600, block: 1_800)
        case .signInCaptcha: ThrottleRule(limit: 3, window: 600, block: 1_800)
        case .cookielessReport: ThrottleRule(limit: 1, window: 3_600, block: 3_600)
        case .clientResetStart: ThrottleRule(limit: 20, window: 600, block: 600)
        case .contactRequest: ThrottleRule(limit: 1, window: 3_600, block: 3_600)
        case .captchaToken: ThrottleRule(limit: 1, window: Captcha.lifetime, block: Captcha.lifetime)
        case .captchaSum: ThrottleRule(limit: 5, window: 600, block: 600)
        case .phoneBudget: rule(limit: PhoneBudget.standard.daily)
        case .phoneBudgetNotice: ThrottleRule(limit: 1, window: 86_400, block: 86_400)
        }
    }

    /// This kind's window and block with another limit: the phone budget's, which the operator sets.
    public func rule(limit: Int) -> ThrottleRule {
        switch self {
        case .phoneBudget: ThrottleRule(limit: limit, window: 86_400, block: 86_400)
        default: ThrottleRule(limit: limit, window: rule.window, block: rule.block)
        }
    }
}

/// `limit` events within `window` seconds of the first one block further events for `block` seconds.
public struct ThrottleRule: Sendable, Hashable {
    public let limit: Int
    public let window: TimeInterval
    public let block: TimeInterval

    public init(limit: Int, window: TimeInterval, block: TimeInterval) {
        self.limit = limit
        self.window = window
        self.block = block
    }
}

/// One event to count: its counter and the rule it counts under.
public struct ThrottleEvent: Sendable, Hashable {
    public let key: ThrottleKey
    public let rule: ThrottleRule

    public init(_ key: ThrottleKey, rule: ThrottleRule) {
        self.key = key
        self.rule = rule
    }
}

/// One counter: a kind and its subject (a user's id, an E.164 number, an IP address).
public struct ThrottleKey: Sendable, Hashable, Codable {
    public let kind: ThrottleKind
    public let subject: String

    public init(_ kind: ThrottleKind, _ subject: String) {
        self.kind = kind
        self.subject = subject
    }

    /// The subject of a user's counter kept per network: clearing the user's counters clears these too
    /// (``ThrottleStore/clearThrottles(subject:kinds:)``).
    public static func subject(user: UUID, client: String) -> String {
        "\(user.uuidString)|\(client)"
    }
}
