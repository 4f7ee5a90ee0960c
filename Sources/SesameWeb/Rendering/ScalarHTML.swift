import Mustache
import SesameCore

/// The pages' escaping: swift-mustache's own HTML escaping compares whole `Character`s, so `"` followed by a
/// combining mark (one `Character`) was left as it was and closed an attribute in the browser, which reads Unicode
/// scalars. Every template starts with `pragma`, which selects this escaping (docs/security.md#output-escaping).
struct ScalarHTML: MustacheContentType {
    static let name = "SESAME_SCALAR_HTML"
    static let pragma = "{{% CONTENT_TYPE: \(name)}}"

    func escapeText(_ text: String) -> String {
        Markup.escape(text)
    }
}
