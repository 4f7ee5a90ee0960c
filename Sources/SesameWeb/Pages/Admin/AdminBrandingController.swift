import Foundation
import Hummingbird
import SesameCore

/// `/admin/branding`: the organisation's name, the email sender's name, the helpdesk link and the logo (type and
/// size checked from its bytes), with a preview of the reset page's header as users will see it. Global
/// administrators change it; every change is audited.
struct AdminBrandingController {
    let layout: PageLayout
    let access: AdminAccess
    let policies: PolicyCache
    let policyChanges: PolicyService
    let branding: BrandingService
    /// The logo as this instance reads it, for the preview.
    let logos: BrandingCache

    var endpoints: RouteCollection<WebContext> {
        RouteCollection(context: WebContext.self)
            .get("admin/branding", use: show)
            .post("admin/branding", use: saveTexts)
            .post("admin/branding/logo/remove", use: removeLogo)
    }

    /// The logo's upload, from global administrators: room for a logo too large (refused with its size, not cut off)
    /// and the form around it.
    var largeBodyEndpoints: LargeBodyRoutes {
        LargeBodyRoutes(
            limit: BodyLimit(bytes: 2 * Logo.maximumSize, roles: [.globalAdmin]),
            routes: RouteCollection(context: WebContext.self).post("admin/branding/logo", use: uploadLogo))
    }

    static let keys: [PolicyKey] = [.organisationName, .mailSenderName, .helpdeskLink]

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        try await access.administrator(context) { admin in
            try await page(context, admin: admin, notice: AdminNotice.key(request.query["done"], in: "admin.branding", known: AdminNotice.branding))
        }
    }

    @Sendable func saveTexts(_ request: Request, context: WebContext) async throws -> Response {
        try await access.administrator(context, roles: [.globalAdmin]) { admin in
            var values: [PolicyKey: String] = [:]
            for key in Self.keys { values[key] = context.form[key.rawValue] ?? "" }
            do {
                try await policyChanges.update(values, actor: admin.userID)
            } catch let refused as PolicyErrors {
                return try await page(context, admin: admin, errors: refused.errors.map { $0.rendered(in: context.language) }, submitted: values,
                                      status: .unprocessableContent)
            }
            return PageRenderer.redirect(to: "/admin/branding?done=saved")
        }
    }

    @Sendable func uploadLogo(_ request: Request, context: WebContext) async throws -> Response {
        try await access.administrator(context, roles: [.globalAdmin]) { admin in
            do {
                try await branding.setLogo(context.form.files["logo"] ?? Data(), actor: admin.userID)
            } catch let refused as ValidationError {
                return try await page(context, admin: admin, errors: [layout.text(refused.message, context)], status: .unprocessableContent)
            }
            return PageRenderer.redirect(to: "/admin/branding?done=logo")
        }
    }

    @Sendable func removeLogo(_ request: Request, context: WebContext) async throws -> Response {
        try await access.administrator(context, roles: [.globalAdmin]) { admin in
            try await branding.removeLogo(actor: admin.userID)
            return PageRenderer.redirect(to: "/admin/branding?done=removed")
        }
    }

    private func page(
        _ context: WebContext, admin: User, notice: String? = nil, errors: [String] = [], submitted: [PolicyKey: String]? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let policy = try await policies.policy()
        var values: [String: Any] = [
            "admin": true, "canSave": admin.roles.contains(.globalAdmin), "notice": notice.map { layout.text($0, context) } ?? false,
            "errors": errors, "error": !errors.isEmpty, "hasLogo": await logos.logo() != nil,
            "previewName": submitted?[.organisationName] ?? policy.organisationName,
            "helpdesk": policy.helpdeskLink?.description ?? false,
        ]
        for key in Self.keys { values[key.rawValue] = submitted?[key] ?? key.value(in: policy) }
        return try await layout.render("admin-branding", titleKey: "admin.branding.title", values: values, context: context, status: status)
    }
}
