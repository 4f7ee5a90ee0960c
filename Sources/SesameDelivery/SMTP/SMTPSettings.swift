import Foundation
import SesameCore

/// Where and how to reach the mail server, from `SESAME_SMTP_URL` (README.md#configuration):
/// `smtp://[user:pass@]host[:port]` upgrades with STARTTLS when the server offers it, `?tls=required` insists on it,
/// `smtps://…` speaks TLS from the first byte. `?cafile=/path/ca.pem` trusts a private certificate authority
/// in addition to the system's.
public struct SMTPSettings: Sendable, Hashable {
    public enum Security: String, Sendable, Hashable {
        /// STARTTLS when offered, plain text otherwise (credentials are never sent in plain text).
        case opportunistic
        /// STARTTLS or fail.
        case required
        /// TLS from the first byte (`smtps://`, port 465).
        case implicit
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    public var certificateAuthorityFile: String?
    /// The sender: `SESAME_MAIL_FROM`, `address` or `Name <address>`.
    public var from: Mailbox
    /// The name this client gives in `EHLO`.
    public var clientName: String
    /// Connecting, and then the whole conversation, must finish within these.
    public var connectTimeout: Duration
    public var timeout: Duration

    public init(url: String, from: String, clientName: String = "localhost", connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(30)) throws(ConfigurationProblem) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else { throw ConfigurationProblem("SESAME_SMTP_URL must look like smtp://[user:pass@]host:port or smtps://host:port") }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        switch (scheme, query["tls"]) {
        case ("smtps", nil), ("smtps", "implicit"): security = .implicit
        case ("smtp", nil): security = .opportunistic
        case ("smtp", "required"): security = .required
        case ("smtp", let other?):
            throw ConfigurationProblem("SESAME_SMTP_URL: tls=\(other) is not understood; use tls=required, or smtps:// for implicit TLS")
        default:
            throw ConfigurationProblem("SESAME_SMTP_URL: the scheme must be smtp or smtps, not \(scheme)")
        }
        self.host = host
        self.port = components.port ?? (security == .implicit ? 465 : 25)
        guard (1...65535).contains(port) else { throw ConfigurationProblem("SESAME_SMTP_URL: the port must be between 1 and 65535") }
        self.username = components.user?.removingPercentEncoding
        self.password = components.password?.removingPercentEncoding
        self.certificateAuthorityFile = query["cafile"]
        guard let mailbox = Mailbox(parsing: from) else {
            throw ConfigurationProblem("SESAME_MAIL_FROM must be an email address, or a name followed by <address>")
        }
        self.from = mailbox
        self.clientName = clientName
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}

/// A setting that cannot work, said in words that name it.
public struct ConfigurationProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// An address and the name shown with it.
public struct Mailbox: Sendable, Hashable {
    public let name: String?
    public let address: EmailAddress

    public init(name: String?, address: EmailAddress) {
        self.name = name
        self.address = address
    }

    /// `address` or `Name <address>`.
    public init?(parsing text: String) {
        let trimmed = text.trimmingWhiteSpace()
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let name = trimmed[..<open].trimmingWhiteSpace().trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            guard let address = try? EmailAddress(String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])) else { return nil }
            self.init(name: name.isEmpty ? nil : name, address: address)
        } else {
            guard let address = try? EmailAddress(trimmed) else { return nil }
            self.init(name: nil, address: address)
        }
    }
}
