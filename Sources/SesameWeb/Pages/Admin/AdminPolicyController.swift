import Hummingbird
import SesameCore

/// `/admin/policy`: the password reset policy and the administrator policy explained (docs/behaviour.md#policy-keys),
/// and the writeback status (docs/behaviour.md#password-writeback). Any administrator may look; global administrators
/// save, audited knob by knob.
struct AdminPolicyController {
    let layout: PageLayout
    let access: AdminAccess
    let policies: PolicyCache
    let policyChanges: PolicyService
    let directory: DirectoryMonitor
    /// Whether a directory is configured: the writeback knob is offered only then.
    let directoryConfigured: Bool

    var endpoints: RouteCollection<WebContext> {
        RouteCollection(context: WebContext.self)
            .get("admin", use: home)
            .get("admin/policy", use: show)
            .post("admin/policy", use: save)
    }

    @Sendable func home(_ request: Request, context: WebContext) async throws -> Response {
        PageRenderer.redirect(to: "/admin/policy")
    }

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        try await access.administrator(context) { user in
            try await page(context, user: user, policy: try await policies.policy(), saved: request.query["saved"] != nil)
        }
    }

    @Sendable func save(_ request: Request, context: WebContext) async throws -> Response {
        try await access.administrator(context, roles: [.globalAdmin]) { user in
            let policy = try await policies.policy()
            let values = PolicyForm.values(from: context.form, current: policy, directoryConfigured: directoryConfigured)
            do {
                try await policyChanges.update(values, actor: user.userID)
            } catch let refused as PolicyErrors {
                return try await page(context, user: user, policy: policy, submitted: values, errors: refused, status: .unprocessableContent)
            } catch StoreError.conflict {
                return try await page(context, user: user, policy: try await policies.policy(), conflict: true, status: .conflict)
            }
            return PageRenderer.redirect(to: "/admin/policy?saved=1")
        }
    }

    private func page(
        _ context: WebContext, user: User, policy: Policy, submitted: [PolicyKey: String]? = nil, errors: PolicyErrors? = nil,
        saved: Bool = false, conflict: Bool = false, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let writeback = await directory.status()
        let sections = PolicyForm.view(
            policy: policy, submitted: submitted, errors: errors, directoryConfigured: directoryConfigured,
            language: context.language) { layout.text($0, context) }
        let statusText: String
        var statusDetail = ""
        switch writeback {
        case .configured:
            statusText = layout.text("admin.policy.writeback.configured", context)
        case .notConfigured(let problem, let detail):
            statusText = layout.text("admin.policy.writeback.notConfigured", ["reason": layout.text(problem.message, context)], context)
            statusDetail = detail
        }
        return try await layout.render("admin-policy", titleKey: "admin.policy.title", values: [
            "admin": true, "sections": sections, "canSave": user.roles.contains(.globalAdmin), "saved": saved, "conflict": conflict,
            "invalid": errors != nil, "writebackStatus": statusText, "writebackDetail": statusDetail, "writebackConfigured": writeback.isConfigured,
        ], context: context, status: status)
    }
}
