/// A message ready to send: where it goes, in which language, and what it says. `text` may hold a code, so a
/// message is never logged whole (and the delivery queue keeps it sealed).
public struct OutgoingMessage: Sendable, Hashable, Codable {
    public let channel: CodeChannel
    /// E.164 for SMS and voice, an address for email.
    public let to: String
    public let language: Language
    /// Email only.
    public let subject: String?
    public let text: String
    /// Whose name an email carries: sender name, header and logo are the organisation's
    /// (docs/behaviour.md#administration).
    public let organisation: String

    public init(channel: CodeChannel, to: String, language: Language, subject: String? = nil, text: String, organisation: String = "") {
        self.channel = channel
        self.to = to
        self.language = language
        self.subject = subject
        self.text = text
        self.organisation = organisation
    }
}

/// Writes the messages Sesame sends, in the recipient's language, from the catalogue.
public enum MessageComposer {
    /// A verification code by SMS, voice call or email; the text names the organisation
    /// (docs/behaviour.md#administration).
    public static func verificationCode(
        _ code: VerificationCode, channel: CodeChannel, to destination: String, organisation: String, language: Language
    ) -> OutgoingMessage {
        let arguments = ["code": code.digits, "organisation": organisation, "spoken": spoken(code)]
        switch channel {
        case .sms:
            return OutgoingMessage(channel: .sms, to: destination, language: language,
                                   text: LocalizedText("message.code.sms", arguments).rendered(in: language), organisation: organisation)
        case .voice:
            // A voice reads the text: no marks for the eye in it.
            let spoken = language.spokenLanguage
            let text = MessageFormat.withoutDirectionControls(LocalizedText("message.code.voice", arguments).rendered(in: spoken))
            return OutgoingMessage(channel: .voice, to: destination, language: spoken, text: text, organisation: organisation)
        case .email:
            return OutgoingMessage(channel: .email, to: destination, language: language,
                                   subject: LocalizedText("message.code.email.subject", arguments).rendered(in: language),
                                   text: LocalizedText("message.code.email.body", arguments).rendered(in: language), organisation: organisation)
        }
    }

    /// Tells a user of `event` on their account — a reset, a change of password, an unlock, new security
    /// answers — so that one they did not make does not go unnoticed (docs/behaviour.md#notices); `reportLink` is its
    /// "This wasn't me" link (docs/behaviour.md#this-wasnt-me). The texts are `message.<event>Notice.*`.
    public static func accountNotice(
        _ event: ReportedEvent, to address: EmailAddress, userID: String, reportLink: String, organisation: String, language: Language
    ) -> OutgoingMessage {
        email("message.\(event.rawValue)Notice", to: address, ["organisation": organisation, "userID": userID, "link": reportLink], language: language)
    }

    /// A notice of something done to an account, in the user's language, then again in the organisation's when it
    /// differs: whoever acted on the account chose the page's language, which becomes the user's, and so could choose
    /// one the owner cannot read (docs/localization.md#notices).
    public static func inBoth(_ language: Language, _ organisationLanguage: Language, _ notice: (Language) -> OutgoingMessage) -> OutgoingMessage {
        let first = notice(language)
        guard organisationLanguage != language else { return first }
        let again = notice(organisationLanguage)
        return OutgoingMessage(
            channel: first.channel, to: first.to, language: language, subject: [first.subject, again.subject].compactMap { $0 }.joined(separator: " · "),
            text: first.text + "\n\n———\n\n" + again.text, organisation: first.organisation)
    }

    /// Tells a user that only `left` recovery codes remain, so that they make a new set before they run out
    /// (docs/behaviour.md#notices).
    public static func recoveryCodesLow(to address: EmailAddress, left: Int, userID: String, organisation: String, language: Language) -> OutgoingMessage {
        email("message.recoveryCodesLow", to: address, ["organisation": organisation, "userID": userID, "count": String(left)], language: language)
    }

    /// Tells another global administrator that an administrator reset their own password (docs/behaviour.md#notices).
    public static func adminResetNotice(to address: EmailAddress, admin: String, organisation: String, language: Language) -> OutgoingMessage {
        email("message.adminResetNotice", to: address, ["organisation": organisation, "admin": admin], language: language)
    }

    /// Asks an administrator to reset a user's password, from the reset portal's "contact your administrator"
    /// (docs/behaviour.md#contact-your-administrator). The support code ties it to the user's page and the server's
    /// log.
    public static func contactRequest(to address: EmailAddress, userID: String, supportCode: String, organisation: String, language: Language) -> OutgoingMessage {
        email("message.contactRequest", to: address, ["organisation": organisation, "userID": userID, "supportCode": supportCode], language: language)
    }

    /// Tells an administrator that a user followed a notice's "This wasn't me" (docs/behaviour.md#this-wasnt-me):
    /// `event` is the disowned event, already in `language`.
    public static func reportedEvent(
        to address: EmailAddress, userID: String, event: String, supportCode: String, organisation: String, language: Language
    ) -> OutgoingMessage {
        email("message.reportedEvent", to: address, ["organisation": organisation, "userID": userID, "event": event, "supportCode": supportCode], language: language)
    }

    /// Tells a global administrator that the day's texts and calls are spent (docs/security.md#phone-budget).
    public static func phoneBudgetSpent(to address: EmailAddress, scope: String, limit: Int, organisation: String, language: Language) -> OutgoingMessage {
        let key = scope == "all" ? "message.phoneBudget" : "message.phoneBudgetCountry"
        return email(key, to: address, ["organisation": organisation, "scope": scope, "limit": String(limit)], language: language)
    }

    /// Tells the old address that a contact field changed (or, `added`, that an empty one was filled), so that a
    /// takeover of the account does not go unnoticed; `reportLink` is its "This wasn't me" link
    /// (docs/behaviour.md#this-wasnt-me).
    public static func contactChanged(
        to address: EmailAddress, field: ContactField, added: Bool = false, userID: String, reportLink: String, organisation: String,
        language: Language
    ) -> OutgoingMessage {
        let arguments = [
            "organisation": organisation, "userID": userID, "link": reportLink,
            "field": LocalizedText("message.field.\(field.rawValue)").rendered(in: language),
        ]
        return email(added ? "message.contactAdded" : "message.contactChanged", to: address, arguments, language: language)
    }

    /// An email whose subject and body are the catalogue's `<key>.subject` and `<key>.body`.
    static func email(_ key: String, to address: EmailAddress, _ arguments: [String: String], language: Language) -> OutgoingMessage {
        OutgoingMessage(
            channel: .email, to: address.value, language: language,
            subject: LocalizedText("\(key).subject", arguments).rendered(in: language),
            text: LocalizedText("\(key).body", arguments).rendered(in: language), organisation: arguments["organisation"] ?? "")
    }

    /// The digits apart, so that a speech engine reads them one by one: "1, 2, 3, 4, 5, 6".
    static func spoken(_ code: VerificationCode) -> String {
        code.digits.map(String.init).joined(separator: ", ")
    }
}
