import Foundation

/// A posted `application/x-www-form-urlencoded` body as name → values (a single value is the last one sent).
struct FormData: Sendable {
    private var values: [String: [String]] = [:]

    init() {}

    init(urlEncoded body: String) {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            values[name, default: []].append(parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    subscript(name: String) -> String? { values[name]?.last }

    /// Every value sent under `name` (ticked checkboxes), in order.
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// The value trimmed, or "" when absent.
    func text(_ name: String) -> String { self[name]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }

    private static func decode(_ text: Substring) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }
}
