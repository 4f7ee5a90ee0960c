/// The languages Sesame speaks. Every user-visible string exists in each of them.
public enum Language: String, Sendable, Codable, CaseIterable {
    case english = "en"
    case french = "fr"

    /// The best supported language for an `Accept-Language` style tag such as `fr-CA`.
    public init?(tag: String) {
        let primary = tag.split(separator: "-").first.map { $0.lowercased() } ?? ""
        self.init(rawValue: primary)
    }
}
