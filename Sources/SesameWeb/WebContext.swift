import Hummingbird
import SesameCore

/// Per-request state the middleware fills in for the pages: the session, the language and the posted form.
public struct WebContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    var session: SessionHandle?
    var language: Language = .english
    var form: FormData = FormData()

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// Forms are small; a larger body (a 10 MB field) is refused before it is read whole.
    public var maxUploadSize: Int { 64 * 1024 }

    /// The support code shown on error pages and written in the log line, so that the helpdesk can find it.
    var requestID: String { id }
}
