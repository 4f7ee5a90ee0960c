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

    /// Uploaded files by field name (from a `multipart/form-data` post).
    private(set) var files: [String: Data] = [:]

    init(multipart: MultipartForm) {
        for (name, value) in multipart.fields { values[name, default: []].append(value) }
        for part in multipart.parts where part.filename != nil { files[part.name] = part.data }
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
