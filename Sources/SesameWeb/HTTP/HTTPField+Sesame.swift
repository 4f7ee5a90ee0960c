import HTTPTypes

/// Header names HTTPTypes does not predefine. Each literal is a valid field name (an RFC 9110 token), so the
/// failable initialiser cannot fail; `HTTPFieldNameTests` checks every one.
extension HTTPField.Name {
    static let xFrameOptions = Self("X-Frame-Options")!  // trap-safe: a valid literal, checked by a test
    static let referrerPolicy = Self("Referrer-Policy")!  // trap-safe: a valid literal, checked by a test
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy")!  // trap-safe: a valid literal, checked by a test
    static let permissionsPolicy = Self("Permissions-Policy")!  // trap-safe: a valid literal, checked by a test
    static let xForwardedFor = Self("X-Forwarded-For")!  // trap-safe: a valid literal, checked by a test
}
