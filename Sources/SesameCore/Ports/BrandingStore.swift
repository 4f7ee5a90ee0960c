/// The organisation's logo, kept in the store so that every instance shows the same one.
public protocol BrandingStore: Sendable {
    func logo() async throws -> Logo?
    /// Replaces the logo; `nil` removes it.
    func saveLogo(_ logo: Logo?) async throws
}
