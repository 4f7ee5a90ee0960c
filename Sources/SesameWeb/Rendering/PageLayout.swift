import Hummingbird
import SesameCore

/// What every page shares: the templates, the organisation's name from the policy, whether a logo is set, and the
/// texts of the request's language.
struct PageLayout: Sendable {
    let renderer: PageRenderer
    let policies: PolicyCache
    let branding: BrandingCache

    func render(
        _ template: String, titleKey: String, values: [String: Any] = [:], context: WebContext, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let policy = try await policies.policy()
        var values = values
        // Every page where a password is chosen says the policy's rules (docs/behaviour.md#passwords).
        let rules = policy.passwordRules.rules
        values["passwordRules"] = [
            "guidance": text("password.guidance.\(policy.passwordRules.rawValue)", context), "min": rules.minimumLength,
            "classes": rules.requiredClasses, "unicode": rules.unicode ? "true" : "false",
        ] as [String: Any]
        return renderer.page(
            template, title: text(titleKey, context), values: values, context: context,
            organisation: policy.organisationName, logo: await branding.logo() != nil, status: status)
    }

    func text(_ key: String, _ context: WebContext) -> String {
        WebCatalogue.text(key, in: context.language)
    }

    func text(_ key: String, _ arguments: [String: String], _ context: WebContext) -> String {
        WebCatalogue.text(key, arguments, in: context.language)
    }

    func text(_ message: LocalizedText, _ context: WebContext) -> String {
        WebCatalogue.render(message, in: context.language)
    }
}
