import Foundation
import Hummingbird
import SesameCore

/// Per-request state the middleware fills in for the pages: the session, the language and the posted form.
public struct WebContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    var session: SessionHandle?
    var language: Language = .english
    var form: FormData = FormData()
    /// Who the audit log names for an API call: `token:<name>` once the bearer token is checked.
    var apiActor: String?
    /// What the API call's bearer token may do, once it is checked.
    var apiScope: TokenScope?
    /// The signed-in user as a middleware read it earlier in this request, so that the page does not read it again
    /// (docs/architecture.md#one-request-end-to-end). Middleware only reads, so it is current when the page starts.
    var signedInUser: User?

    /// The TCP peer, when known (router tests have none).
    let peerAddress: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The client's address for throttling. `X-Forwarded-For` can be forged by anyone, so it is believed only when
    /// the peer is a reverse proxy on this machine (loopback) or one the configuration names, and then only its last
    /// entry, the one that proxy added — and only when it is an IP address, since it keys the throttles in the store.
    func clientAddress(_ request: Request, trustedProxies: Set<String>) -> String {
        Self.clientAddress(peer: peerAddress, forwardedFor: request.headers[.xForwardedFor], trustedProxies: trustedProxies)
    }

    /// The client as the per-network limits count it (an IPv6 client by its /64: `IPAddress.network`).
    package static func clientAddress(peer: String?, forwardedFor: String?, trustedProxies: Set<String>) -> String {
        guard let peer else { return "unknown" }
        let trusted = peer == "::1" || peer.hasPrefix("127.") || trustedProxies.contains(peer)
        guard trusted, let forwarded = forwardedFor?.split(separator: ",").last.map({ $0.trimmingWhiteSpace() }),
            IPAddress.isValid(forwarded)
        else { return IPAddress.network(peer) }
        return IPAddress.network(forwarded)
    }

    /// Forms are small; a larger body (a 10 MB field) is refused before it is read whole.
    public var maxUploadSize: Int { 64 * 1024 }

    /// The support code shown on error pages and written in the log line, so that the helpdesk can find it.
    var requestID: String { id }
}
