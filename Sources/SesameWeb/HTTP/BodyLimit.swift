import Hummingbird
import SesameCore

/// A posted body larger than a form's, declared where the routes that take it are registered, with the roles that
/// may send it: anyone else, anonymous visitors first, stays within the context's limit, so that nobody else can make
/// the server hold megabytes per connection (docs/security.md#body-limits).
struct BodyLimit: Sendable {
    let bytes: Int
    /// Who may send that much: a signed-in user with any of these roles.
    let roles: Set<Role>
}

/// Routes that take a larger body than a form, with their declared limit.
struct LargeBodyRoutes {
    let limit: BodyLimit
    let routes: RouteCollection<WebContext>
}
