/// Where `/metrics` is served and who may read it (docs/operations.md#metrics).
struct MetricsSettings: Sendable {
    /// `SESAME_METRICS_PORT`: a port of its own; `nil` serves `/metrics` on the main port.
    var port: Int?
    /// `SESAME_METRICS_TOKEN`: the bearer token a scraper sends; `nil` for none.
    var token: String?

    /// A token is sent in a header and compared whole: long enough not to be guessed, short and plain enough to fit
    /// the bearer syntax the API's tokens use.
    static let tokenLengths = 16...256

    init(_ sources: ConfigurationSources, mainPort: Int) throws {
        if let text = sources.value(.metricsPort) {
            guard let port = Int(text), (1...65_535).contains(port), port != mainPort else {
                throw ConfigurationError("SESAME_METRICS_PORT: \"\(text)\" is not a port number (1–65535) other than SESAME_PORT")
            }
            self.port = port
        }
        if let token = sources.value(.metricsToken) {
            guard Self.tokenLengths.contains(token.utf8.count),
                token.utf8.allSatisfy({ $0 < 0x80 && ($0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)) })
            else {
                throw ConfigurationError("SESAME_METRICS_TOKEN: use 16 to 256 letters, digits, '-', '_' or '.'")
            }
            self.token = token
        }
    }
}
