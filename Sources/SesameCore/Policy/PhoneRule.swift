/// How a code reaches a phone.
public enum PhoneChannel: String, Sendable, Hashable, CaseIterable {
    case sms
    case voice

    public var codeChannel: CodeChannel {
        switch self {
        case .sms: .sms
        case .voice: .voice
        }
    }
}

/// The one rule for which numbers Sesame texts or calls (docs/security.md#toll-fraud), checked where a number enters
/// (portals, import, API, command line, directory sync) and again before every send, since a stored number may
/// predate the policy: its country must be allowed, texts go to mobiles only, calls to mobiles and landlines, and
/// nothing goes to premium-rate, shared-cost, VoIP, satellite or other numbers someone may earn money on.
public struct PhoneRule: Sendable, Hashable {
    /// Calling codes allowed; `nil` allows every country.
    public let allowedCountryCodes: Set<Int>?

    public init(allowedCountryCodes: Set<Int>?) {
        self.allowedCountryCodes = allowedCountryCodes
    }

    /// Why a number may not be used.
    public enum Refusal: String, Sendable, Hashable {
        /// Its country calling code is not in the policy's list.
        case countryNotAllowed
        /// Neither a mobile nor a landline: premium rate, shared cost, VoIP, freephone, satellite, and the like.
        case notPersonal
        /// A landline, for a text message.
        case landline
    }

    public func refusal(of phone: PhoneNumber, for channel: PhoneChannel) -> Refusal? {
        if let allowedCountryCodes, !allowedCountryCodes.contains(phone.callingCode) { return .countryNotAllowed }
        if phone.isNonGeographic || !(phone.isMobile || phone.isFixedLine) { return .notPersonal }
        if channel == .sms, !phone.isMobile { return .landline }
        return nil
    }

    public func permits(_ phone: PhoneNumber, for channel: PhoneChannel) -> Bool {
        refusal(of: phone, for: channel) == nil
    }

    /// Whether the number can serve as a recovery phone at all: every number a text may go to may also be called.
    public func permitsSomeChannel(_ phone: PhoneNumber) -> Bool {
        permits(phone, for: .voice)
    }

    /// Reads a phone an administrator or the directory keeps on file (international form): stored phones are called,
    /// and texted when mobile, so the number must serve at least a call.
    public func phoneOnFile(_ text: String) throws(ValidationError) -> PhoneNumber {
        let phone = try PhoneNumber(international: text)
        try check(phone, for: .voice)
        return phone
    }

    /// Checks a number for `channel`; the refusal as the message for whoever typed it.
    public func check(_ phone: PhoneNumber, for channel: PhoneChannel) throws(ValidationError) {
        guard let refusal = refusal(of: phone, for: channel) else { return }
        throw ValidationError("phone.\(refusal.rawValue)", ["code": String(phone.callingCode)])
    }
}

extension Policy {
    /// The phone rule under this policy's allowed countries.
    public var phones: PhoneRule { PhoneRule(allowedCountryCodes: allowedCountryCodes) }
}
