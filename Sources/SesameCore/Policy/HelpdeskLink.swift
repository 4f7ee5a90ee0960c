import Foundation

/// The custom "contact your administrator" target (docs/behaviour.md#contact-your-administrator): a web page opened in
/// a new tab, or a `mailto:` address.
public enum HelpdeskLink: Sendable, Hashable, TextCodable, CustomStringConvertible {
    case url(String)
    case email(EmailAddress)

    public init(_ text: String) throws(ValidationError) {
        let value = text.trimmingWhiteSpace()
        if let url = URL(string: value), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host?.isEmpty == false
        {
            self = .url(value)
        } else if !value.contains("://"), let email = try? EmailAddress(value) {
            self = .email(email)
        } else {
            throw ValidationError("policy.helpdeskLink", ["value": value])
        }
    }

    /// What a page links to.
    public var href: String {
        switch self {
        case .url(let url): url
        case .email(let email): "mailto:\(email.value)"
        }
    }

    public var description: String {
        switch self {
        case .url(let url): url
        case .email(let email): email.value
        }
    }

    public init(codableText: String) throws { self = try HelpdeskLink(codableText) }
    public var codableText: String { description }
}
