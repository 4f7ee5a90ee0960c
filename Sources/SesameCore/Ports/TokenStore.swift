import Foundation

/// API bearer tokens, by digest.
public protocol TokenStore: Sendable {
    func insertToken(_ token: APIToken) async throws
    func token(digest: String) async throws -> APIToken?
    func tokens() async throws -> [APIToken]
    func revokeToken(id: UUID, at date: Date) async throws
    func touchToken(id: UUID, at date: Date) async throws
}
