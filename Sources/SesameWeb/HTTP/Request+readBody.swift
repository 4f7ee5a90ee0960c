import Hummingbird

extension Request {
    /// The whole body, at most `limit` bytes. A body that breaks HTTP's framing (a chunk size that is not a number,
    /// an encoding no one asked for, a client that hung up half-way) is the client's fault: a 400, not a server
    /// error (found by scripts/http-fuzz, docs/security.md#parsers).
    mutating func readBody(upTo limit: Int) async throws -> ByteBuffer {
        do {
            return try await collectBody(upTo: limit)
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            throw HTTPError(.badRequest, message: "the request's body could not be read")
        }
    }
}
