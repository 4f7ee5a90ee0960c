import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization

/// A stand-in SMS provider: a real HTTP server on loopback that records what Sesame sends and answers as told.
public final class RecordingProvider: Sendable {
    public struct Received: Sendable {
        public let path: String
        public let authorization: String?
        public let body: Data
        public let signature: String?
        public let contentType: String?
    }

    private let received = Mutex<[Received]>([])
    let status: HTTPResponse.Status
    let delay: Duration
    /// Where a redirect status sends the client.
    let location: String?

    public init(status: HTTPResponse.Status = .accepted, delay: Duration = .zero, location: String? = nil) {
        self.status = status
        self.delay = delay
        self.location = location
    }

    public var requests: [Received] { received.withLock { $0 } }

    var application: some ApplicationProtocol {
        let router = Router()
        router.post("**") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            self.received.withLock {
                $0.append(Received(
                    path: request.uri.path, authorization: request.headers[.authorization],
                    body: Data(body.readableBytesView), signature: request.headers[HTTPField.Name("X-Sesame-Signature")!],
                    contentType: request.headers[.contentType]))
            }
            try await Task.sleep(for: self.delay)
            return Response(status: self.status, headers: self.location.map { [.location: $0] } ?? [:])
        }
        return Application(router: router)
    }

    /// Runs `body` with the URL of the provider, listening on loopback.
    public func run(_ body: @Sendable (String) async throws -> Void) async throws {
        try await application.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)/sms")
        }
    }
}


extension RecordingProvider.Received {
    /// The fields of the payload, JSON or form-encoded.
    public var fields: [String: String] {
        if let json = try? JSONSerialization.jsonObject(with: body) as? [String: String] { return json }
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }

    /// The six-digit code in an SMS text.
    public var code: String? {
        (fields["text"] ?? fields["Body"])?.firstMatch(of: /\d{6}/).map { String($0.output) }
    }
}
